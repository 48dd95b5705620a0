#!/usr/bin/env python3
"""Runs axe-core on the served pages in headless Chromium, light and dark, narrow and wide.

axe-core's script is read from an installed PyPI package that ships it
(`axe-playwright-python`, installed with --no-deps: only its axe.min.js is used).
Each page, colour scheme and width is one check; it fails on any axe violation of
the chosen tags, on a stylesheet that did not load, on a Content-Security-Policy
violation (inline script or style) and on a page that scrolls sideways. Pages are
also loaded at extra widths (320 px by default) for that last check alone.

Each check appends `pass<TAB>name` or `fail<TAB>name` to the results file.
Exit status: 0 every check passed, 1 some failed, 2 the run itself failed.
"""

import argparse
import importlib.resources
import time

import browser

AXE_PACKAGES = ("axe_playwright_python", "axe_core_python")

RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {
  runOnly: { type: 'tag', values: arguments[0] },
  resultTypes: ['violations']
}).then(results => done({
  violations: results.violations.map(rule => ({
    id: rule.id, impact: rule.impact, help: rule.help, helpUrl: rule.helpUrl,
    nodes: rule.nodes.map(node => ({ target: node.target.join(' '), summary: node.failureSummary }))
  })),
  incomplete: results.incomplete.map(rule => rule.id + ' (' + rule.nodes.length + ')'),
  passes: results.passes.length
})).catch(error => done({ error: String(error) }));
"""


def load_axe():
    for package in AXE_PACKAGES:
        try:
            script = importlib.resources.files(package).joinpath("axe.min.js")
            if script.is_file():
                return package, script.read_text(encoding="utf-8")
        except ModuleNotFoundError:
            continue
    raise browser.Unavailable(
        "axe-core not found; install it with: python3 -m pip install --no-deps axe-playwright-python"
    )


def plural(count, noun):
    return "%d %s%s" % (count, noun, "" if count == 1 else "s")


def record(results, passed, name):
    with open(results, "a", encoding="utf-8") as handle:
        handle.write("%s\t%s\n" % ("pass" if passed else "fail", name))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="the server's origin, e.g. http://127.0.0.1:8000")
    parser.add_argument("--results", required=True)
    parser.add_argument("--pages", nargs="+", default=["/terms", "/privacy", "/404.html"])
    parser.add_argument("--widths", nargs="+", type=int, default=[375, 1280])
    parser.add_argument("--layout-widths", nargs="*", type=int, default=[320])
    parser.add_argument("--schemes", nargs="+", default=["light", "dark"])
    parser.add_argument("--tags", nargs="+", default=["wcag2a", "wcag2aa"])
    parser.add_argument("--height", type=int, default=900)
    args = parser.parse_args()

    package, axe_source = load_axe()
    driver = browser.start()
    failed = 0
    try:
        version = driver.execute_script(axe_source + "\n;return axe.version;")
        print("axe-core %s (from %s), tags %s" % (version, package, ", ".join(args.tags)))
        for page in args.pages:
            for width in args.widths:
                for scheme in args.schemes:
                    name = "axe %s %s %dpx" % (page, scheme, width)
                    started = time.monotonic()
                    browser.emulate(driver, width, args.height, scheme, mobile=width < 600)
                    problems = browser.open_page(driver, args.base + page)
                    driver.execute_script(axe_source)
                    outcome = driver.execute_async_script(RUN_AXE, args.tags)
                    if "error" in outcome:
                        problems.append("axe-core failed: %s" % outcome["error"])
                        outcome = {"violations": [], "incomplete": [], "passes": 0}
                    violations = outcome["violations"]
                    ok = not violations and not problems
                    note = "%s, %s passed" % (plural(len(violations), "violation"), plural(outcome["passes"], "rule"))
                    if outcome["incomplete"]:
                        note += ", to review by hand: " + ", ".join(outcome["incomplete"])
                    print(
                        "%s %s (%s, %.1f s)"
                        % ("ok  " if ok else "FAIL", name, note, time.monotonic() - started)
                    )
                    for problem in problems:
                        print("    %s" % problem)
                    for rule in violations:
                        print("    %s [%s] %s (%s)" % (rule["id"], rule["impact"], rule["help"], rule["helpUrl"]))
                        for node in rule["nodes"]:
                            print("      at %s" % node["target"])
                            for line in (node["summary"] or "").splitlines():
                                print("        %s" % line)
                    record(args.results, ok, name)
                    failed += 0 if ok else 1
            for width in args.layout_widths:
                name = "layout %s %dpx" % (page, width)
                browser.emulate(driver, width, args.height, "light", mobile=True)
                problems = browser.open_page(driver, args.base + page)
                print("%s %s" % ("ok  " if not problems else "FAIL", name))
                for problem in problems:
                    print("    %s" % problem)
                record(args.results, not problems, name)
                failed += 1 if problems else 0
    finally:
        driver.quit()
    return 1 if failed else 0


if __name__ == "__main__":
    browser.run(main)
