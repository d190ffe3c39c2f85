"""Fail when locale/ja misses a string: re-extract and count, then put the file back.

makemessages always writes into the project's own locale/ when the current directory has
one (it adds it to the locale paths), so a copy elsewhere is not enough: the real
django.po is saved first and restored afterwards, leaving the working tree untouched.
"""
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    real = ROOT / "locale" / "ja" / "LC_MESSAGES" / "django.po"
    with tempfile.TemporaryDirectory() as tmp:
        saved = Path(tmp) / "django.po"
        shutil.copyfile(real, saved)
        try:
            return _check(real)
        finally:
            shutil.copyfile(saved, real)


def _check(po):
    env = {k: v for k, v in os.environ.items() if k != "KGI_LOCALE_DIR"}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ja", "--no-obsolete",
         "--ignore=.venv", "--ignore=tests", "--ignore=bench", "--ignore=staticfiles", "-v0"],
        cwd=ROOT, env=env, check=True,
    )
    stats = subprocess.run(["msgfmt", "--statistics", "-o", "/dev/null", str(po)],
                           capture_output=True, text=True, check=True).stderr.strip()
    if "untranslated" in stats or "fuzzy" in stats:
        missing = subprocess.run(["msgattrib", "--untranslated", str(po)],
                                 capture_output=True, text=True).stdout
        fuzzy = subprocess.run(["msgattrib", "--only-fuzzy", str(po)],
                               capture_output=True, text=True).stdout
        print(f"locale/ja is incomplete: {stats}\n{missing}\n{fuzzy}")
        print("Translate the entries above in locale/ja/LC_MESSAGES/django.po and commit.")
        return 1
    print(f"locale/ja complete: {stats}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
