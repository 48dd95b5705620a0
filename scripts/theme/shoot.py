#!/usr/bin/env python3
"""Takes PNG screenshots of served pages in headless Chromium.

Each --shot is FILE=PATH@WIDTHxHEIGHT:SCHEME, for example
  docs/screenshots/terms-phone-dark.png=/terms@375x800:dark
Widths under 600 px are rendered as a phone (mobile viewport). The picture is the
viewport at the top of the page, at a device scale factor of 1, so the same build
gives the same pictures; --full captures the whole page instead.
"""

import argparse
import base64
import os
import re

import browser

SHOT = re.compile(r"^(?P<file>[^=]+)=(?P<path>/[^@]*)@(?P<width>\d+)x(?P<height>\d+):(?P<scheme>light|dark)$")


def parse(text):
    match = SHOT.match(text)
    if not match:
        raise argparse.ArgumentTypeError("expected FILE=PATH@WIDTHxHEIGHT:light|dark, got %r" % text)
    shot = match.groupdict()
    shot["width"], shot["height"] = int(shot["width"]), int(shot["height"])
    return shot


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--shot", type=parse, action="append", required=True)
    parser.add_argument("--full", action="store_true", help="the whole page, not just the viewport")
    args = parser.parse_args()

    driver = browser.start()
    failed = 0
    try:
        for shot in args.shot:
            browser.emulate(driver, shot["width"], shot["height"], shot["scheme"], mobile=shot["width"] < 600)
            problems = browser.open_page(driver, args.base + shot["path"])
            # Nothing focused, so no focus ring shows up in the picture.
            driver.execute_script("document.activeElement && document.activeElement.blur();")
            capture = {"format": "png", "fromSurface": True}
            if args.full:
                size = driver.execute_script(
                    "return [document.documentElement.scrollWidth, document.documentElement.scrollHeight];"
                )
                capture.update(captureBeyondViewport=True, clip={"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1})
            data = driver.execute_cdp_cmd("Page.captureScreenshot", capture)["data"]
            folder = os.path.dirname(shot["file"])
            if folder:
                os.makedirs(folder, exist_ok=True)
            with open(shot["file"], "wb") as handle:
                handle.write(base64.b64decode(data))
            print("%s %s (%s at %dx%d, %s)" % ("wrote" if not problems else "WARN ", shot["file"], shot["path"], shot["width"], shot["height"], shot["scheme"]))
            for problem in problems:
                print("    %s" % problem)
            failed += 1 if problems else 0
    finally:
        driver.quit()
    return 1 if failed else 0


if __name__ == "__main__":
    browser.run(main)
