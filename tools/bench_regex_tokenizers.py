"""Single-threaded speed of tokenizers' Split(Regex(p), "isolated").pre_tokenize_str on a JSON-lines corpus.

    python tools/bench_regex_tokenizers.py CORPUS.jsonl NAME=PATTERN ...

prints `name  MB/s  pieces` (MB of UTF-8 input, best of three runs), as tools/bench-regex.sh shows beside Smelt.
"""
import json
import os
import sys
import time

os.environ["RAYON_NUM_THREADS"] = "1"
from tokenizers import Regex, pre_tokenizers  # noqa: E402


def main():
    documents = [json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
    megabytes = sum(len(text.encode()) for text in documents) / 1e6
    for argument in sys.argv[2:]:
        name, pattern = argument.split("=", 1)
        split = pre_tokenizers.Split(Regex(pattern), behavior="isolated")
        best, pieces = float("inf"), 0
        for _ in range(3):
            start = time.perf_counter()
            pieces = sum(len(split.pre_tokenize_str(text)) for text in documents)
            best = min(best, time.perf_counter() - start)
        print(f"{name}\t{megabytes / best:.1f}\t{pieces}")


if __name__ == "__main__":
    main()
