"""Fail when locale/ja misses a string: re-extract, count, and leave locale/ as it was.

Runs makemessages, keeps a copy of what it produced, restores the working tree's file,
and fails on any untranslated or fuzzy entry of the copy.
"""
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    # makemessages writes the catalogue next to the sources it reads (ROOT/locale), whatever
    # LOCALE_PATHS says: run it there, keep what it wrote, and put the file back untouched.
    real = ROOT / "locale" / "ja" / "LC_MESSAGES" / "django.po"
    with tempfile.TemporaryDirectory() as tmp:
        po = Path(tmp) / "django.po"
        original = real.read_bytes()
        try:
            subprocess.run(
                [sys.executable, "manage.py", "makemessages", "-l", "ja", "--no-obsolete",
                 "--ignore=.venv", "--ignore=tests", "--ignore=bench", "--ignore=staticfiles",
                 "-v0"],
                cwd=ROOT, check=True,
            )
            shutil.copyfile(real, po)
        finally:
            real.write_bytes(original)
        stats = subprocess.run(["msgfmt", "--statistics", "-o", "/dev/null", str(po)],
                               capture_output=True, text=True, check=True).stderr.strip()
        if "untranslated" in stats or "fuzzy" in stats:
            missing = subprocess.run(["msgattrib", "--untranslated", str(po)],
                                     capture_output=True, text=True).stdout
            fuzzy = subprocess.run(["msgattrib", "--only-fuzzy", str(po)],
                                   capture_output=True, text=True).stdout
            print(f"locale/ja is incomplete: {stats}\n{missing}\n{fuzzy}")
            print("Run `make i18n`, translate the new entries in locale/ja, and commit.")
            return 1
        print(f"locale/ja complete: {stats}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
