"""Fail when locale/ja misses a string: re-extract, count in a temporary copy, put the file back.

Runs makemessages (which writes locale/ja in place), copies the result away, restores the
committed django.po byte for byte, and fails on any untranslated or fuzzy entry.
"""
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    # makemessages writes into the project's own locale/ whatever LOCALE_PATHS says (a file is
    # extracted into the locale dir next to it), so keep the committed file and put it back.
    real = ROOT / "locale" / "ja" / "LC_MESSAGES" / "django.po"
    committed = real.read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        locale = Path(tmp) / "locale"
        shutil.copytree(ROOT / "locale", locale)
        try:
            subprocess.run(
                [sys.executable, "manage.py", "makemessages", "-l", "ja", "--no-obsolete",
                 "--ignore=.venv", "--ignore=tests", "--ignore=bench", "--ignore=staticfiles",
                 "-v0"],
                cwd=ROOT, check=True,
            )
            shutil.copyfile(real, locale / "ja" / "LC_MESSAGES" / "django.po")
        finally:
            real.write_bytes(committed)
        po = locale / "ja" / "LC_MESSAGES" / "django.po"
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
