"""Screenshots of the monthly reforecast report, in Japanese and English, screen and print.

    python manage.py seed_demo && python manage.py runserver 127.0.0.1:8103
    python bench/screenshot_reforecast.py --base http://127.0.0.1:8103 --out /tmp/shots

Saves the whole page and the first screen for each language, the page as printed
(print media, A4 width) plus a real A4 PDF, and the what-if after moving the CVR slider,
so a person can judge whether an executive gets it in ten seconds.
"""
import os
import sys

from playwright.sync_api import sync_playwright

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_session import launch, logged_in_page, screenshot_arguments  # noqa: E402

A4_CSS_PX = {"width": 703, "height": 1032}  # A4 inside 12 mm margins, at 96 dpi


def main():
    parser = screenshot_arguments("demo-executive", lang=False)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    url = f"{args.base}/{args.company}/reforecasts/"
    with sync_playwright() as p:
        browser = launch(p)
        for lang in ("ja", "en"):
            page = logged_in_page(browser, args.base, args.user, args.password, lang)
            context = page.context
            page.goto(url)
            page.wait_for_load_state("networkidle")
            shot = os.path.join(args.out, f"report-{lang}")
            page.screenshot(path=f"{shot}-screen.png", full_page=True)
            page.screenshot(path=f"{shot}-fold.png")
            # The what-if after a move of the conversion rate.
            slider = page.locator("[data-testid=slider-cvr]")
            if slider.count():
                slider.fill("10")
                page.wait_for_timeout(600)
                page.locator("#what-if").screenshot(path=f"{shot}-whatif.png")
            # Paper: print media at A4 width, and the real PDF.
            page.goto(url)
            page.wait_for_load_state("networkidle")
            page.set_viewport_size(A4_CSS_PX)
            page.emulate_media(media="print")
            page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
            page.wait_for_timeout(300)
            page.screenshot(path=f"{shot}-print.png", full_page=True)
            page.pdf(path=f"{shot}.pdf", format="A4", print_background=True)
            for name in ("screen", "fold", "whatif", "print"):
                print(f"{shot}-{name}.png")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
