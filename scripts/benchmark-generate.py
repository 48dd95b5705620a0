"""Writes the benchmark's inputs: a site of N pages replicated from a Markdown corpus, the same
pages as a Hugo site, and a site whose app bundle holds many small objects (for plan-infra)."""
import os
import re
import sys

corpus, work, pages, objects = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
sources = []
for folder, _, files in os.walk(corpus):
    for name in sorted(files):
        if name.endswith(".md"):
            sources.append(os.path.join(folder, name))
sources.sort()
if not sources:
    sys.exit(f"benchmark: no Markdown files in {corpus}")

CONFIG = """site:
  name: Benchmark
  legal_name: Benchmark Inc.
  contact_email: bench@example.com
  base_url: https://d111111abcdef8.cloudfront.net
content:
  default_template: page
"""
PAGE = """<!DOCTYPE html>
<html lang="{{site.language}}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{{page.title}}</title></head>
<body><main><h1>{{page.title}}</h1>
{{{content}}}
</main></body>
</html>
"""
HUGO_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{{ .Title }}</title></head>
<body><main><h1>{{ .Title }}</h1>
{{ .Content }}
</main></body>
</html>
"""

def clean(text):
    # Links between corpus files would be broken on purpose-less copies: make them external.
    text = re.sub(r"\]\((?!https?:|mailto:|#)([^)\s]*)\)", r"](https://example.com/\1)", text)
    text = re.sub(r"^\[([^\]]+)\]:\s*(?!https?:|mailto:|#)(\S+)", r"[\1]: https://example.com/\2", text, flags=re.M)
    # Fragment links as GitHub writes heading ids (lower case).
    text = re.sub(r"\]\(#([^)\s]+)\)", lambda match: "](#" + match.group(1).lower() + ")", text)
    # Mustache-looking text is not a variable here.
    return text.replace("{{", "{ {")

def title_of(text, fallback):
    match = re.search(r"^#\s+(.+)$", text, re.M)
    return (match.group(1) if match else fallback).replace('"', "'").strip()

def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)

site = os.path.join(work, "site")
hugo = os.path.join(work, "hugo")
write(os.path.join(site, "site.yml"), CONFIG)
write(os.path.join(site, "templates", "page.mustache"), PAGE)
write(os.path.join(site, "templates", "404.mustache"), PAGE)
# The same work as site: no syntax highlighting (site leaves code blocks as they are), no lists.
write(os.path.join(hugo, "hugo.toml"), 'baseURL = "https://bench.example.com/"\n'
      'disableKinds = ["taxonomy", "term", "RSS", "sitemap", "home", "section", "404", "robotsTXT"]\n'
      '[markup.highlight]\n  codeFences = false\n[markup.goldmark.renderer]\n  unsafe = false\n')
write(os.path.join(hugo, "layouts", "_default", "single.html"), HUGO_PAGE)
cache = {}
for index in range(pages):
    source = sources[index % len(sources)]
    if source not in cache:
        with open(source, encoding="utf-8", errors="replace") as handle:
            raw = handle.read()
        body = clean(raw)
        # The template writes the title as the page's only <h1>.
        body = re.sub(r"^#\s+.+$", "", body, count=1, flags=re.M)
        body = re.sub(r"^# ", "## ", body, flags=re.M)
        body = re.sub(r"^(=+)[ \t]*$", lambda match: "-" * len(match.group(1)), body, flags=re.M)
        cache[source] = (title_of(raw, os.path.basename(source)), body)
    title, body = cache[source]
    name = os.path.splitext(os.path.basename(source))[0].lower()
    name = re.sub(r"[^a-z0-9-]+", "-", name).strip("-") or "page"
    # Documents of different folders may share a name: number them so that every page is kept.
    relative = f"r{index // len(sources)}/{name}-{index % len(sources)}.md"
    front = f'---\ntitle: "{title}"\n---\n'
    write(os.path.join(site, "content", relative), front + body)
    write(os.path.join(hugo, "content", relative), front + body)

objects_site = os.path.join(work, "objects")
write(os.path.join(objects_site, "site.yml"), CONFIG.replace("content:\n  default_template: page\n", "")
      + "content:\n  default_template: page\nspa:\n  bundle: app\n  routes: [/]\ninfra:\n  bucket: bench-site\n  max_deletes: 1000000\n")
write(os.path.join(objects_site, "templates", "page.mustache"), PAGE)
write(os.path.join(objects_site, "templates", "404.mustache"), PAGE)
write(os.path.join(objects_site, "templates", "spa.mustache"), PAGE.replace("{{{content}}}", '<div id="root"></div>{{#spa.scripts}}<script type="module" src="{{src}}"></script>{{/spa.scripts}}'))
write(os.path.join(objects_site, "content", "terms.md"), '---\ntitle: "Terms"\n---\nText.\n')
write(os.path.join(objects_site, "app", "index.html"), '<!doctype html><script type="module" src="/assets/main-00000000.js"></script>')
for index in range(objects):
    name = "main-00000000.js" if index == 0 else f"chunk-{index:08d}.js"
    write(os.path.join(objects_site, "app", "assets", f"{index // 1000:03d}" if index else "", name) if index else os.path.join(objects_site, "app", "assets", name),
          f"export const value{index} = {index};\n" + "// padding\n" * (index % 64))
print(f"generated {pages} pages and a bundle of {objects} objects in {work}")
