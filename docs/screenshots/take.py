"""Screenshots of the reading experience, taken with headless chromium (Debian's) and Playwright.

Usage: start the site (make run PORT=8005), then
    .venv/bin/python docs/screenshots/take.py http://127.0.0.1:8005
Writes the PNG files next to this script. The handout's printed pages (print-view-page-N.png) are
its US Letter PDF drawn by pdftoppm (apt-get install poppler-utils); without pdftoppm they are
left as they are.
"""

import shutil
import subprocess
import sys
import tempfile
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
        # The handout as it prints: chromium's PDF on US Letter, each page drawn at 96 dpi.
        context = browser.new_context(base_url=base)
        page = context.new_page()
        page.goto(ARTICLE + "print/", wait_until="networkidle")
        pdf = page.pdf(format="Letter")
        context.close()
        if shutil.which("pdftoppm"):
            with tempfile.TemporaryDirectory() as tmp:
                (Path(tmp) / "handout.pdf").write_bytes(pdf)
                subprocess.run(["pdftoppm", "-r", "96", "-png", "handout.pdf", "page"], cwd=tmp, check=True)
                for n, png in enumerate(sorted(Path(tmp).glob("page-*.png")), start=1):
                    shutil.copyfile(png, OUT / f"print-view-page-{n}.png")
        else:
            sys.stderr.write("pdftoppm not found: the print-view-page-N.png files were not redrawn\n")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
