#!/usr/bin/env python3
"""Serves a built site folder on 127.0.0.1 the way the CDN answers it.

Every object is sent with the Content-Type and Cache-Control recorded in
`_site/manifest.json`, and each request path goes through the manifest's routing
table: an entry (`/terms` is the object `terms`, `/` is `index.html`), then a
redirect (301), then an SPA route (the shell), and anything else is the not-found
page with status 404. Paths under the API pattern get a 502: there is no backend
here.

Pages are also sent with a Content-Security-Policy as strict as the deployed one,
so a browser reports any inline script or style the theme would need.

Usage: server.py DIST --port-file FILE [--port N]
The chosen port is written to FILE once the server listens.
"""

import argparse
import json
import mimetypes
import os
import signal
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HTML = "text/html; charset=utf-8"
MANIFEST_KEY = "_site/manifest.json"


def prefix_matches(pattern, path):
    """`/app/*` matches `/app` and everything under `/app/`; other patterns match exactly."""
    if pattern.endswith("/*"):
        base = pattern[:-2]
        return path == base or path.startswith(base + "/")
    return path == pattern


class Site:
    def __init__(self, dist):
        self.dist = os.path.realpath(dist)
        with open(os.path.join(self.dist, MANIFEST_KEY), encoding="utf-8") as handle:
            manifest = json.load(handle)
        self.objects = {item["key"]: item for item in manifest.get("objects", [])}
        routes = manifest.get("routes") or {}
        self.entries = {entry["path"]: entry["key"] for entry in routes.get("entries", [])}
        self.redirects = {
            item["from"]: (item.get("status", 301), item["to"]) for item in routes.get("redirects", [])
        }
        self.api = routes.get("api")
        self.shell = routes.get("shell")
        self.spa_routes = routes.get("spa_routes") or []
        self.not_found = routes.get("not_found")

    def content_type(self, key):
        item = self.objects.get(key)
        if item and item.get("content_type"):
            return item["content_type"]
        name = key.rsplit("/", 1)[-1]
        if "." not in name:
            return HTML
        guessed, _ = mimetypes.guess_type(name)
        return guessed or "application/octet-stream"

    def cache_control(self, key):
        item = self.objects.get(key) or {}
        return item.get("cache_control", "no-cache")

    def resolve(self, path):
        """Returns (status, key or None, location or None)."""
        if self.api and prefix_matches(self.api, path):
            return HTTPStatus.BAD_GATEWAY, None, None
        key = self.entries.get(path)
        if key is None and path == "/" + MANIFEST_KEY:
            key = MANIFEST_KEY
        if key is None and path.startswith("/") and path[1:] in self.objects:
            key = path[1:]
        if key is not None:
            return HTTPStatus.OK, key, None
        if path in self.redirects:
            status, target = self.redirects[path]
            return status, None, target
        if self.shell and any(prefix_matches(route, path) for route in self.spa_routes):
            return HTTPStatus.OK, self.shell, None
        return HTTPStatus.NOT_FOUND, self.not_found, None

    def read(self, key):
        full = os.path.realpath(os.path.join(self.dist, key))
        if not full.startswith(self.dist + os.sep):
            raise FileNotFoundError(key)
        with open(full, "rb") as handle:
            return handle.read()


def make_handler(site, verbose):
    class Handler(BaseHTTPRequestHandler):
        server_version = "site-preview"
        sys_version = ""

        def do_GET(self):
            self.answer(send_body=True)

        def do_HEAD(self):
            self.answer(send_body=False)

        def answer(self, send_body):
            path = unquote(urlsplit(self.path).path) or "/"
            status, key, location = site.resolve(path)
            if location is not None:
                self.send_response(status)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = b""
            content_type = "text/plain; charset=utf-8"
            if key is not None:
                try:
                    body = site.read(key)
                    content_type = site.content_type(key)
                except OSError:
                    status, body = HTTPStatus.NOT_FOUND, b"not found\n"
            else:
                body = b"no backend in this preview\n"
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if key is not None:
                self.send_header("Cache-Control", site.cache_control(key))
            self.send_header("X-Content-Type-Options", "nosniff")
            if content_type.startswith("text/html"):
                self.send_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            self.end_headers()
            if send_body:
                self.wfile.write(body)

        def log_message(self, format, *args):
            if verbose:
                sys.stderr.write("server: " + (format % args) + "\n")

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dist")
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()

    site = Site(args.dist)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(site, args.verbose))
    server.daemon_threads = True

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    partial = args.port_file + ".partial"
    with open(partial, "w", encoding="utf-8") as handle:
        handle.write(str(server.server_address[1]))
    os.replace(partial, args.port_file)
    try:
        server.serve_forever(poll_interval=0.2)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
