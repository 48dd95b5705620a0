"""Headless Chromium through Selenium, for the theme checks and the screenshots.

Debian's `chromium` and `chromium-driver` are used as installed; Selenium Manager
is never asked for a driver or a browser, and Chromium is kept off the network:
every host name resolves to nothing except 127.0.0.1, and everything that is not
loopback goes to a proxy that does not exist.
"""

import os
import shutil
import signal
import sys

os.environ.setdefault("SE_OFFLINE", "true")

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402

PAGE_LOAD_SECONDS = 30
SCRIPT_SECONDS = 60

# Collects Content-Security-Policy violations from the first moment of each document.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (event) {
  window.__cspViolations.push(event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline') +
    (event.sourceFile ? ' (' + event.sourceFile + ':' + event.lineNumber + ')' : ''));
});
"""


class Unavailable(Exception):
    """A program or file the checks need is not installed."""


def run(main):
    """Runs a helper's main(): its return value is the exit status, and a crash is status 2."""
    stop_on_sigterm()
    try:
        status = main()
    except Unavailable as error:
        print("error: %s" % error, file=sys.stderr)
        status = 2
    except Exception as error:  # a browser or driver that failed: the run itself failed
        print("error: %s: %s" % (type(error).__name__, error), file=sys.stderr)
        status = 2
    sys.exit(status)


def find_program(names, env):
    chosen = os.environ.get(env)
    if chosen:
        if not os.access(chosen, os.X_OK):
            raise Unavailable("%s=%s is not an executable file" % (env, chosen))
        return chosen
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    raise Unavailable(
        "none of %s found; install Debian's chromium and chromium-driver (or set %s)" % (", ".join(names), env)
    )


def stop_on_sigterm():
    """Turns SIGTERM into SystemExit, so `finally` blocks close the browser."""

    def stop(signum, frame):
        raise SystemExit(143)

    signal.signal(signal.SIGTERM, stop)


def start(width=1280, height=900):
    options = webdriver.ChromeOptions()
    options.binary_location = find_program(["chromium", "chromium-browser"], "CHROMIUM")
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--window-size=%d,%d" % (width, height),
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--disable-sync",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-domain-reliability",
        "--disable-client-side-phishing-detection",
        "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
        "--metrics-recording-only",
        "--no-pings",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--proxy-server=127.0.0.1:9",
        "--proxy-bypass-list=127.0.0.1",
        "--font-render-hinting=none",
        "--lang=en-US",
    ):
        options.add_argument(argument)
    service = Service(
        executable_path=find_program(["chromedriver"], "CHROMEDRIVER"),
        log_output=os.devnull,
    )
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(PAGE_LOAD_SECONDS)
    driver.set_script_timeout(SCRIPT_SECONDS)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_LISTENER})
    return driver


def emulate(driver, width, height, scheme, mobile=False):
    """Fixes the viewport size, `prefers-color-scheme` and (reduced) motion."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
    )
    driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {
            "media": "screen",
            "features": [
                {"name": "prefers-color-scheme", "value": scheme},
                # No smooth scrolling, so a page opened at a #fragment is already there.
                {"name": "prefers-reduced-motion", "value": "reduce"},
            ],
        },
    )


def open_page(driver, url):
    """Loads a page and waits until its stylesheets and fonts are ready; returns problems found."""
    driver.get(url)
    state = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const ready = document.fonts ? document.fonts.ready : Promise.resolve();
        ready.then(() => {
          const sheets = Array.from(document.querySelectorAll('link[rel~="stylesheet"]'));
          done({
            missing: sheets.filter(link => {
              try { return !link.sheet || link.sheet.cssRules.length === 0; } catch (e) { return true; }
            }).map(link => link.getAttribute('href')),
            csp: window.__cspViolations || [],
            scrollWidth: document.documentElement.scrollWidth,
            clientWidth: document.documentElement.clientWidth
          });
        });
        """
    )
    problems = []
    for href in state["missing"]:
        problems.append("stylesheet %s did not load" % href)
    for violation in state["csp"]:
        problems.append("Content-Security-Policy: %s" % violation)
    if state["scrollWidth"] > state["clientWidth"]:
        problems.append(
            "the page scrolls sideways: %d px of content in a %d px viewport"
            % (state["scrollWidth"], state["clientWidth"])
        )
    return problems
