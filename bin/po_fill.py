"""Fill Japanese translations into locale/ja from a JSON file {msgid: msgstr}.

Usage: python bin/po_fill.py translations.json   (after `make i18n`)
Also: python bin/po_fill.py --missing   prints the untranslated msgids as a JSON skeleton.
"""
import json
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "locale" / "ja" / "LC_MESSAGES" / "django.po"


def main(argv):
    po = polib.pofile(str(PO))
    if argv[:1] == ["--missing"]:
        missing = {e.msgid: "" for e in po if not e.translated() and not e.obsolete}
        print(json.dumps(missing, ensure_ascii=False, indent=1))
        return 0
    table = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    filled = 0
    for entry in po:
        if entry.msgid in table and table[entry.msgid]:
            if entry.msgid_plural:
                entry.msgstr_plural = {0: table[entry.msgid]}
            else:
                entry.msgstr = table[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            filled += 1
    po.save(str(PO))
    left = [e.msgid for e in po if not e.translated() and not e.obsolete]
    print(f"filled {filled}; untranslated left: {len(left)}")
    for msgid in left[:50]:
        print("  ", msgid)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
