"""Drives headless Chromium against a running `site serve` and reports each check.

Usage: browser_test.py BASE_URL SCREENSHOT_DIR
Prints one line per check and `browser test: N passed, N failed`; exits 1 when a check failed.
"""

import os
import shutil
import sys
import traceback

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as conditions
from selenium.webdriver.support.ui import WebDriverWait

CALLBACK = "/auth/tiktok/callback?code=demo&state=demo"


def browser(javascript):
    options = Options()
    binary = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if binary:
        options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,900", "--hide-scrollbars"):
        options.add_argument(argument)
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = shutil.which("chromedriver")
    service = Service(executable_path=driver) if driver else Service()
    return webdriver.Chrome(service=service, options=options)


def main():
    base, shots = sys.argv[1].rstrip("/"), sys.argv[2]
    os.makedirs(shots, exist_ok=True)
    results = []

    def check(name, test):
        try:
            test()
            results.append(True)
            print(f"ok     {name}", flush=True)
        except Exception as error:  # every failure is reported, then the next check runs
            results.append(False)
            detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            print(f"FAILED {name}: {detail}", flush=True)
            if os.environ.get("BROWSER_TEST_VERBOSE"):
                traceback.print_exc()

    drivers = []
    try:
        app = browser(javascript=True)
        drivers.append(app)

        def callback_route():
            app.get(base + CALLBACK)
            WebDriverWait(app, 15).until(
                conditions.text_to_be_present_in_element((By.ID, "route"), "/auth/tiktok/callback"))
            route = app.find_element(By.ID, "route").text
            assert route == "/auth/tiktok/callback", f"#route shows {route!r}"
            assert app.current_url == base + CALLBACK, f"the URL changed to {app.current_url}"
            page = app.find_element(By.TAG_NAME, "main").text
            assert "code received" in page, f"the app did not read the code: {page!r}"
            app.save_screenshot(os.path.join(shots, "serve-callback.png"))

        def no_console_errors():
            app.get(base + CALLBACK)
            WebDriverWait(app, 15).until(conditions.presence_of_element_located((By.ID, "route")))
            errors = [entry["message"] for entry in app.get_log("browser") if entry.get("level") == "SEVERE"]
            # Browsers ask for /favicon.ico by themselves when a page names no icon; production
            # answers that with S3's 404 too, so it is reported, not failed.
            favicon = [error for error in errors if "/favicon.ico " in error]
            if favicon:
                print("note   the shell names no icon, so browsers request /favicon.ico (404 here and in production)",
                      flush=True)
            errors = [error for error in errors if error not in favicon]
            assert not errors, "; ".join(errors)

        check("the OAuth callback with ?code=&state= loads the app, which shows the route", callback_route)
        check("the app loads without console errors (CSP, missing assets)", no_console_errors)

        static = browser(javascript=False)
        drivers.append(static)

        def terms_without_javascript():
            static.get(base + "/terms")
            heading = static.find_element(By.TAG_NAME, "h1").text
            assert heading == "Terms of Service", f"h1 is {heading!r}"
            text = static.find_element(By.TAG_NAME, "body").text
            assert "Accepting these terms" in text, "the section 'Accepting these terms' is missing"
            assert "Clipcast Labs, Inc." in text, "the legal name is missing"
            static.save_screenshot(os.path.join(shots, "serve-terms-nojs.png"))

        def trailing_slash_redirects():
            static.get(base + "/terms/")
            assert static.current_url == base + "/terms", f"ended at {static.current_url}"
            assert static.find_element(By.TAG_NAME, "h1").text == "Terms of Service"

        check("/terms shows the page text with JavaScript disabled", terms_without_javascript)
        check("/terms/ redirects to /terms", trailing_slash_redirects)
    except Exception as error:
        results.append(False)
        print(f"FAILED starting Chromium: {error}", flush=True)
    finally:
        for driver in drivers:
            try:
                driver.quit()
            except Exception:
                pass

    passed = sum(results)
    failed = len(results) - passed
    print(f"browser test: {passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
