"""What the screenshot scripts share: Debian's Chromium and a logged-in page in a language."""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402

DESKTOP = {"width": 1366, "height": 900}


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS,
                                      headless=True)


def logged_in_page(browser, base, user, password, lang="ja", viewport=None):
    """A new context with the language cookie set, logged in as ``user``; returns the page."""
    context = browser.new_context(viewport=viewport or DESKTOP,
                                  locale="ja-JP" if lang == "ja" else "en-US")
    context.add_cookies([{"name": "kgi_language", "value": lang, "url": base}])
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


def screenshot_arguments(user, *, lang=True):
    """The options every screenshot script takes: server, company, who logs in, where to save."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8103")
    parser.add_argument("--company", default="demo")
    parser.add_argument("--user", default=user)
    parser.add_argument("--password", default="demo")
    parser.add_argument("--out", default="/tmp/kgi-shots")
    if lang:
        parser.add_argument("--lang", default="ja")
    return parser
