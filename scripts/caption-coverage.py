#!/usr/bin/python3
"""How much of the way people write the caption generator covers.

usage: scripts/caption-coverage.py models/queries/real-people.json SYNTH_DIR [--missing N]

SYNTH_DIR: a `descry-cli synth` dataset (its reid_raw.json). Prints, for the real captions of the
caption set: the share of their word tokens and word types that occur anywhere in the synthetic
captions, the share of their word bigrams that do, the mean caption lengths, and the most
frequent real words the generator never writes.
"""
import collections
import json
import os
import re
import sys


def words(text):
    return re.findall(r"[a-z]+", text.lower())


def main():
    args = sys.argv[1:]
    missing_count = 60
    if "--missing" in args:
        at = args.index("--missing")
        missing_count = int(args[at + 1])
        del args[at:at + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    real = [c for p in json.load(open(args[0]))["people"] for c in p["captions"]]
    synthetic = [c for e in json.load(open(os.path.join(args[1], "reid_raw.json"))) for c in e["captions"]]

    real_words = collections.Counter(w for c in real for w in words(c))
    synthetic_words = set(w for c in synthetic for w in words(c))
    tokens = sum(real_words.values())
    covered = sum(n for w, n in real_words.items() if w in synthetic_words)
    types_covered = sum(1 for w in real_words if w in synthetic_words)

    def bigrams(ws):
        return list(zip(ws, ws[1:]))

    synthetic_bigrams = set(b for c in synthetic for b in bigrams(words(c)))
    real_bigrams = [b for c in real for b in bigrams(words(c))]
    bigrams_covered = sum(b in synthetic_bigrams for b in real_bigrams)

    mean = lambda xs: sum(xs) / max(1, len(xs))
    print(f"real captions {len(real)}: {tokens} word tokens, {len(real_words)} types; "
          f"synthetic captions {len(synthetic)}: {len(synthetic_words)} types")
    print(f"real tokens covered {covered / tokens:.3f}, types {types_covered / len(real_words):.3f}, "
          f"bigrams {bigrams_covered / max(1, len(real_bigrams)):.3f}")
    print(f"mean words per caption: real {mean([len(words(c)) for c in real]):.1f}, "
          f"synthetic {mean([len(words(c)) for c in synthetic]):.1f}")
    missing = sorted(((n, w) for w, n in real_words.items() if w not in synthetic_words), reverse=True)
    print("most frequent real words the generator lacks:",
          " ".join(f"{w}({n})" for n, w in missing[:missing_count]))


if __name__ == "__main__":
    main()
