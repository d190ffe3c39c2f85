"""Drop duplicate entries from locale/ja after branches appended the same msgid.

Conflict markers left by a merge are dropped first, keeping both sides. Works on the
text's blocks (so the rest of the file keeps its layout and diffs stay small):
for each (msgctxt, msgid) seen more than once, keep the translated, non-fuzzy block (the
last such one) and drop the others.
"""
import re
import sys


def _key(block):
    ctxt = re.search(r'^msgctxt (".*")$', block, re.M)
    mid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
    return (ctxt.group(1) if ctxt else None, mid.group(1).strip() if mid else None)


def _good(block):
    strs = re.findall(r'^msgstr(?:\[\d+\])? ((?:".*"\n?)+)', block, re.M)
    return "#, fuzzy" not in block and any(s.replace('"', "").strip() for s in strs)


def _unconflict(text):
    """Keep both sides of git conflict markers (branches that each appended entries)."""
    return re.sub(r"^(<<<<<<< .*|=======|>>>>>>> .*)$", "", text, flags=re.M)


def main(path="locale/ja/LC_MESSAGES/django.po"):
    text = _unconflict(open(path, encoding="utf-8").read())
    text = re.sub(r"\n{3,}", "\n\n", text)
    blocks = text.split("\n\n")
    seen = {}
    for i, block in enumerate(blocks):
        key = _key(block)
        if key[1] in (None, '""'):
            continue
        seen.setdefault(key, []).append(i)
    drop = set()
    for indexes in seen.values():
        if len(indexes) < 2:
            continue
        good = [i for i in indexes if _good(blocks[i])]
        keep = good[-1] if good else indexes[0]
        drop.update(i for i in indexes if i != keep)
    kept = [b for i, b in enumerate(blocks) if i not in drop]
    open(path, "w", encoding="utf-8").write("\n\n".join(kept))
    print(f"{path}: {len(drop)} duplicate entries removed")


if __name__ == "__main__":
    main(*sys.argv[1:])
