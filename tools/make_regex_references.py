#!/usr/bin/env python3
"""Matches of the split patterns Smelt's TokenPattern must reproduce, from Hugging Face `tokenizers` (Oniguruma).

    source ~/.cache/smelt/venv/bin/activate && python tools/make_regex_references.py

writes Fixtures/tokenize/regex/texts.txt, matches.txt and classes.txt (deterministic: fixed seed).

texts.txt: one text per line, its Unicode scalars as hexadecimal numbers separated by spaces (the empty text is an
empty line). matches.txt: for each pattern a line `P <pattern as hexadecimal scalars>`, then one line per text with
its non-empty matches, each written `length` when it starts where the previous one ended (or at 0 for the first)
and `+gap:length` otherwise. Matches are the pieces `Split(behavior="isolated")` returns that
`Split(behavior="removed")` does not: empty matches cannot be seen this way. classes.txt: for each one-scalar
pattern (`\w`, `\p{Lu}`, …) a line `P <pattern>`, then the scalars it matches among all Unicode scalars, as
hexadecimal ranges `low-high`.
"""
import os
import random

from tokenizers import Regex
from tokenizers import pre_tokenizers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Fixtures", "tokenize", "regex")

PATTERNS = [
    r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+",
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+",
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+"
    r"|\s+(?!\S)|\s+",
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+"
    r"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*"
    r"|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+",
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+",
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
    r"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
    r"|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+",
    r"\w+|[^\w\s]+",
    # Synthetic: one feature each.
    r"a*|b", r"a|", r"x*", r"\s*", r"(?:)", r"\b", r"a??b|a", r"(?:ab)+c?", r"[a-c]{2,3}?x|\d{2}", r"a{2,}|b{0}c",
    r"\p{Lu}\p{Ll}*", r"\P{L}+", r"\S+", r"\W+", r"\D+", r"\d+", r"(?=\d)\w+", r"\w+(?!\d)", r"^\s+|\s+$",
    r"\A.|.\z", r"^.|.$", r"\bw\w*\b|\B.", r"(?i:hello|k|s|é)", r"(?i)[a-f]+", r"[\x{41}-\x{5A}\u00C0-\u00DE]+",
    r"\p{Letter}+|\p{Number}+|\p{Punctuation}+|\p{Symbol}+", r"\p{Mn}+|\p{Sc}|\p{So}+|\p{Zs}|\p{Cc}+|\p{Cf}",
    r"a++b|a+", r"(?:\r\n|\n)+", r"[.\-/\\]+", r"[^abc\s]+?", r"\d*?\.|\d+", r"(?:[a-z]|\d)*?z",
    r"\p{Zl}|\p{Zp}|\p{Co}|\p{Cn}|\p{Nl}|\p{No}|\p{Lm}|\p{Lt}|\p{Pd}|\p{Ps}|\p{Pe}|\p{Pi}|\p{Pf}|\p{Po}|\p{Pc}",
    r"\p{Sm}+|\p{Sk}|\p{Mc}|\p{Me}|\p{Cs}|\p{Lo}{2}", r"[\t\n\v\f\r ]+|\x{A0}|\u3000", r"[\s\d]+|[\S]",
    r"a(?i)b|c", r"(?i:a(?-i:b)c)", r"x\Z|\Z", r"[^\P{L}]+", r".*?b", r"(?:a|ab)(?:c|bcd)",
    r"\x{1F600}|[\u00e9-\u00ea]",
    # BLOOM's split (a nested class) and DeepSeek-V3's.
    r" ?[^(\s|[.,!?…。，、।۔،])]+",
    r"[!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+",
    r"[一-龥぀-ゟ゠-ヿ]+|\p{N}{1,3}",
    r"(a)|b", r"a{,}", r"[a-]+|[\-\/\']", r"(?>a|ab)c|\d++\d|\s?+\S",
]

SAMPLES = [
    "", " ", "  ", "\n", "\r\n", "\t", "a", "Hello world", "Hello, world! How's it going?",
    "I'm sure they're here; we've seen 'em. You'll see, he'd say.", "IT'S THEIR 'S 'T 'RE 'VE 'M 'LL 'D",
    "it'ſ the caſe 'ſ 'K 'k", "don’t stop, it’s fine ’s", "'''s ''t",
    "  leading and trailing  ", "tabs\there\t\t",
    "line one\nline two\r\nline three\rend\n\n\n", "trailing spaces   ", "spaces   \n   \n",
    " \u00a0\u2009 nbsp\u00a0x",
    "zero\u200bwidth\u200cjoin\u200dx", "line\u2028sep\u2029para\u0085nel", "Привет, мир! Как дела?",
    "Γειά σου Κόσμε ΣΣσς",
    "مرحبا بالعالم ١٢٣", "שָׁלוֹם עוֹלָם", "नमस्ते दुनिया १२३", "สวัสดีชาวโลก ๑๒๓", "你好，世界！中文測試。", "日本語のテキスト、カタカナ。",
    "안녕하세요 세계", "👋🏽 👨‍👩‍👧‍👦 🇫🇷🇯🇵 ❤️ 🏳️‍🌈", "e\u0301a\u0300o\u0308 n\u0303", "Ǆǅǆ ǈǉ ﬁﬂ ß ẞ Straße",
    "12345678901234567890 3.14159 1,000,000 ½ ² ⅷ Ⅻ", "x = f(a, b) + 42; // comment\n    return x*2;",
    "def f(x):\n\treturn {'a': [1, 2]}\n", "<html><body class=\"x\">&amp;</body></html>", "\x00\x01\x1f\x7f\x80\x9f",
    "$100 €50 £3 ¥7 ₿ 5% #tag @user", "a-b_c.d/e\\f", "...!!!???---",
    "hello\n\n  world  \n", "\u3000全角スペース",
    "\ufeffBOM", "\U0001d400\U0001d7d8 math", "abcabcaab xxzz aaab", "HelloWorld CamelCase iPhone MACOS",
    "wow\u202fnarrow\u205fmath", "\u1680ogham\u180emongolian", "\ue000private\U000f0000", "\ud7ff\uac00\u1100\u1161",
]

ALPHABET = (
    list("aAbBcCsStTkKzZxXwWé'’\"-./\\_,;:!?()[]{}<>@#$%&*+=~`^|0123456789")
    + [" "] * 6 + ["\n"] * 3 + ["\r", "\r\n", "\t", "\v", "\f", "\u00a0", "\u200b", "\u2028", "\u3000", "\u0085"]
    + list("ſKß") + list("ПриветΓειάمرحباשלוםनमस्तेสวัสดี你好世界日本カナ안녕")
    + ["\u0301", "\u0308", "\u093f", "\u05b8"] + ["١", "٣", "१", "๑", "½", "²", "Ⅻ"]
    + ["👋", "🏽", "\u200d", "👨", "👩", "🇫", "🇷", "❤", "\ufe0f", "€", "£", "©", "→", "∑"]
    + ["\x00", "\x1b", "\x7f"]
)


def random_texts(count, seed=20261206):
    rng = random.Random(seed)
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 24))) for _ in range(count)]


def matches(pattern, text):
    isolated = pre_tokenizers.Split(Regex(pattern), behavior="isolated").pre_tokenize_str(text)
    removed_pieces = pre_tokenizers.Split(Regex(pattern), behavior="removed").pre_tokenize_str(text)
    removed = {offsets for _, offsets in removed_pieces}
    return [offsets for _, offsets in isolated if offsets not in removed]


def encode(found):
    words, previous_end = [], 0
    for start, end in found:
        words.append(str(end - start) if start == previous_end else f"+{start - previous_end}:{end - start}")
        previous_end = end
    return " ".join(words)


def hex_scalars(text):
    return " ".join(f"{ord(c):x}" for c in text)


CLASS_PATTERNS = [r"\w", r"[\w]", r"\W", r"[\W]", r"\s", r"\S", r"\d", r"[\D]", r".", r"[^\s\p{L}\p{N}]"] + [
    rf"\p{{{name}}}"
    for name in "L M N P S Z C Lu Ll Lt Lm Lo Mn Mc Me Nd Nl No Pc Pd Ps Pe Pi Pf Po Sm Sc Sk So Zs Zl Zp "
    "Cc Cf Cs Co Cn".split()
]


def class_ranges(pattern, scalars, text):
    ranges = []
    for start, end in matches(pattern, text):
        for index in range(start, end):
            value = scalars[index]
            if ranges and ranges[-1][1] == value - 1:
                ranges[-1][1] = value
            else:
                ranges.append([value, value])
    return " ".join(f"{low:x}-{high:x}" for low, high in ranges)


def main():
    os.makedirs(OUT, exist_ok=True)
    texts = SAMPLES + random_texts(2000)
    with open(os.path.join(OUT, "texts.txt"), "w") as f:
        f.write("".join(hex_scalars(text) + "\n" for text in texts))
    with open(os.path.join(OUT, "matches.txt"), "w") as f:
        for pattern in PATTERNS:
            f.write("P " + hex_scalars(pattern) + "\n")
            f.write("".join(encode(matches(pattern, text)) + "\n" for text in texts))
    scalars = [value for value in range(0x110000) if not 0xD800 <= value < 0xE000]
    everything = "".join(map(chr, scalars))
    with open(os.path.join(OUT, "classes.txt"), "w") as f:
        for pattern in CLASS_PATTERNS:
            f.write("P " + hex_scalars(pattern) + "\n" + class_ranges(pattern, scalars, everything) + "\n")


if __name__ == "__main__":
    main()
