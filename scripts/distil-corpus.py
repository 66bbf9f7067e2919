#!/usr/bin/env python3
"""Builds the plain-English corpus of the general-distillation experiment (docs/distillation.md).

Sources, all on this machine: SST-2's training sentences (../shared/data/glue/SST-2/train.tsv) and the prose
of the Python 3.11 documentation as Debian ships it (package python3.11-doc: reStructuredText sources).
Writes OUT/train.txt (one sentence per line) and OUT/heldout-docs.txt (every 20th documentation sentence, never
in train.txt); SST-2's dev sentences (OUT/heldout-sst2.txt) are the in-domain held-out set.
Usage: scripts/distil-corpus.py OUT_DIR
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DOCS = pathlib.Path("/usr/share/doc/python3.11/html/_sources")
SECTIONS = ["tutorial", "library", "reference", "howto", "faq", "using", "glossary.rst.txt"]


def sst2(split):
    lines = (SHARED / "data/glue/SST-2" / f"{split}.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return [l.rsplit("\t", 1)[0].strip() for l in lines if l.strip()]


ROLE = re.compile(r":[a-z:]+:`~?([^`<]*?)(?:\s*<[^>]*>)?`")   # :func:`name <target>` -> name
INLINE = re.compile(r"``([^`]*)``|`([^`<]*?)(?:\s*<[^>]*>)?`_{0,2}|\*\*([^*]*)\*\*|\*([^*]*)\*")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def paragraphs(text):
    """Prose paragraphs of an RST file: no directives, code blocks, tables, titles or comments."""
    block, in_literal = [], False
    for line in text.splitlines() + [""]:
        stripped = line.strip()
        if in_literal:
            if stripped and not line[:1].isspace():
                in_literal = False
            else:
                continue
        if not stripped:
            if block:
                yield " ".join(block)
            block = []
            continue
        if stripped.startswith(("..", ">>>", "...", "|", "+", "=", "-", "*", "#", "~", "^", ":")) or line[:1].isspace():
            if block:
                yield " ".join(block)
            block = []
            in_literal = stripped.endswith("::")
            continue
        block.append(stripped)
        if stripped.endswith("::"):
            yield " ".join(block)[:-1]
            block, in_literal = [], True


def clean(p):
    p = ROLE.sub(r"\1", p)
    p = INLINE.sub(lambda m: next(g for g in m.groups() if g is not None), p)
    return re.sub(r"\s+", " ", p).strip()


def doc_sentences():
    files = []
    for s in SECTIONS:
        path = DOCS / s
        files += [path] if path.is_file() else sorted(path.rglob("*.rst.txt"))
    out = []
    for f in files:
        for p in paragraphs(f.read_text(encoding="utf-8", errors="strict")):
            for s in SENTENCE_END.split(clean(p)):
                words = s.split()
                letters = sum(c.isalpha() or c.isspace() for c in s)
                if 6 <= len(words) <= 60 and letters >= 0.85 * len(s) and s[-1] in ".!?":
                    out.append(s)
    return list(dict.fromkeys(out))   # first occurrence of each, in file order


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    if not DOCS.is_dir():
        sys.exit(f"{DOCS} is missing: apt-get install python3.11-doc")
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    docs = doc_sentences()
    held = docs[::20]
    train = [s for i, s in enumerate(docs) if i % 20] + sst2("train")
    (out / "train.txt").write_text("\n".join(train) + "\n", encoding="utf-8")
    (out / "heldout-docs.txt").write_text("\n".join(held) + "\n", encoding="utf-8")
    (out / "heldout-sst2.txt").write_text("\n".join(sst2("dev")) + "\n", encoding="utf-8")
    print(f"train.txt: {len(train)} lines ({len(docs) - len(held)} documentation, the rest SST-2 train); "
          f"heldout-docs.txt: {len(held)}; heldout-sst2.txt: {len(sst2('dev'))}")


if __name__ == "__main__":
    main()
