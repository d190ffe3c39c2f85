"""Playwright with Debian's Chromium against pytest-django's live server.

Never downloads a browser: the session fixture points Playwright at /usr/bin/chromium.
"""
import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS,
            "headless": True}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "ja-JP", "viewport": {"width": 1366, "height": 900}}


@pytest.fixture
def demo(transactional_db):
    """The demo company, seeded into the live server's database."""
    from kgiapp.management.commands.seed_demo import run_steps

    return run_steps("demo")


@pytest.fixture
def login(live_server, page):
    """login("demo-manager") → a page logged in, on the user's first page."""

    def _login(username, password="demo"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("main form button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    return _login
