"""Fail when locale/ja misses a string: re-extract into a temporary copy and count.

Runs makemessages against a copy of locale/ (so the working tree is untouched) and
fails on any untranslated or fuzzy entry.
"""
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    with tempfile.TemporaryDirectory() as tmp:
        locale = Path(tmp) / "locale"
        shutil.copytree(ROOT / "locale", locale)
        env = {**os.environ, "KGI_LOCALE_DIR": str(locale)}
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-l", "ja", "--no-obsolete",
             "--ignore=.venv", "--ignore=tests", "--ignore=bench", "--ignore=staticfiles", "-v0"],
            cwd=ROOT, env=env, check=True,
        )
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
