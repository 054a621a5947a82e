#!/usr/bin/env python3
"""Random patterns (from the syntax TokenPattern supports) and their matches by `tokenizers`, for a differential run:

    source ~/.cache/smelt/venv/bin/activate && python tools/fuzz_regex_references.py SEED COUNT /tmp/fuzz-refs
    SMELT_REGEX_REFERENCES=/tmp/fuzz-refs swift test --filter TokenPatternReferenceTests

writes texts.txt and matches.txt in the format of make_regex_references.py. Patterns Oniguruma rejects, or on which
it gives up (its retry limit), are left out; those TokenPattern refuses show up as caught errors in the test.
"""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_regex_references as m  # noqa: E402

rng = random.Random(int(sys.argv[1]))
OUT = sys.argv[3]
LIT = ["a", "b", "c", "'", " ", "\\n", "x", "1", "K", "k", "\\.", "-"]
CLS = [
    "[abc]", "[^a\\s]", "\\s", "\\S", "\\w", "\\W", "\\d", "\\D", "\\p{L}", "\\p{N}", "\\p{Lu}", "\\P{L}", ".",
    "[a-c1-3]", "[^\\r\\n\\p{L}\\p{N}]", "[\\w']",
]
def atom(d):
    r = rng.random()
    if d > 2 or r < 0.45: return rng.choice(LIT)
    if r < 0.75: return rng.choice(CLS)
    if r < 0.85: return "(?:" + alt(d + 1) + ")"
    if r < 0.9: return "(?i:" + alt(d + 1) + ")"
    if r < 0.94: return "(?=" + alt(d + 1) + ")"
    if r < 0.97: return "(?!" + alt(d + 1) + ")"
    return "(?>" + alt(d + 1) + ")"
def quant(a):
    r = rng.random()
    if r < 0.55 or a.startswith("(?=") or a.startswith("(?!"): return a
    q = rng.choice(["?", "*", "+", "{2}", "{1,3}", "{2,}", "{0,2}"])
    mod = rng.choice(["", "", "?", "+"]) if q in "?*+" else rng.choice(["", "?"]) if "," in q else ""
    return a + q + mod
def seq(d): return "".join(quant(atom(d)) for _ in range(rng.randint(1, 4)))
def alt(d): return "|".join(seq(d) for _ in range(rng.randint(1, 3)))
os.makedirs(OUT, exist_ok=True)
pats = []
while len(pats) < int(sys.argv[2]):
    p = alt(0)
    try:
        m.matches(p, "a")
        pats.append(p)
    except Exception:
        pass
alphabet = list("abcABC'  \nxX1Kkſ.-é\t")
texts = m.SAMPLES[:30] + ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16))) for _ in range(200)]
with open(os.path.join(OUT, 'texts.txt'), 'w') as f:
    f.write("".join(m.hex_scalars(t) + "\n" for t in texts))
with open(os.path.join(OUT, 'matches.txt'), 'w') as f:
    for p in pats:
        try:
            lines = "".join(m.encode(m.matches(p, t)) + "\n" for t in texts)
        except BaseException:
            continue
        f.write("P " + m.hex_scalars(p) + "\n")
        f.write(lines)

