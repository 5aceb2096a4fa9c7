"""Screenshots of the reading experience, taken with headless chromium (Debian's) and Playwright.

Usage: start the site (make run PORT=8005), then
    .venv/bin/python docs/screenshots/take.py http://127.0.0.1:8005
Writes the PNG files next to this script.
"""

import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTICLE = "/tms/risks-and-side-effects/"

SHOTS = [
    # name, path, viewport, full page, options
    ("home-phone", "/", (390, 844), False, {}),
    ("home-desktop", "/", (1280, 900), False, {}),
    ("home-desktop-full", "/", (1280, 900), True, {}),
    ("article-phone", ARTICLE, (390, 844), False, {}),
    ("article-phone-section", ARTICLE + "#how-often", (390, 844), False, {}),
    ("article-desktop", ARTICLE, (1280, 900), False, {}),
    ("article-desktop-dark", ARTICLE, (1280, 900), False, {"color_scheme": "dark"}),
    ("search-phone", "/search/?q=seizure", (390, 844), False, {}),
    ("clinicians-desktop", "/clinicians/", (1280, 900), False, {}),
    ("help-phone", "/help/", (390, 844), False, {}),
]


def main(base: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for name, path, (width, height), full, options in SHOTS:
            context = browser.new_context(
                base_url=base, viewport={"width": width, "height": height}, device_scale_factor=1, **options
            )
            page = context.new_page()
            page.goto(path, wait_until="networkidle")
            page.screenshot(path=OUT / f"{name}.png", full_page=full)
            context.close()
        # The print view as it prints: print media, Letter paper width at 96 dpi.
        context = browser.new_context(base_url=base, viewport={"width": 816, "height": 1056})
        page = context.new_page()
        page.emulate_media(media="print")
        page.goto(ARTICLE + "print/", wait_until="networkidle")
        page.screenshot(path=OUT / "print-view.png", full_page=True)
        page.pdf(path=str(OUT / "print-view.pdf"), format="Letter", print_background=True)
        context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
