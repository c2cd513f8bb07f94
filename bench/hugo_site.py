"""The same content as a Hugo project, for the benchmark to build with Hugo (``hugo`` on PATH).

``python bench/hugo_site.py PROJECT HUGO_DIR`` (``convert``): each page folder of ours becomes a
Hugo section (``content/<page>/_index.md``: our ``_page.md``, front matter as it is), each
stretch a regular page under it (``content/<page>/<group>/<file>.md``: our front matter plus
``group``, ``stretch_id``, a ``weight`` for our file order and ``_build: render: never``, so
it is listed on its page but not written as a page of its own). One minimal layout
(``layouts/_default/list.html``, no theme) loops over the page's groups and prints every
stretch of each: title, hold and reps, an ``img``, its body rendered from Markdown by
Hugo's own engine (Goldmark) and its caution. One HTML file per page folder, as ours and
``bench/naive.py`` write; the pictures go to ``static/``. Nothing reaches the network.

``check(public, expected)`` counts the stretches in Hugo's output, each with a rendered body,
and refuses a build that lacks any (a misconfigured Hugo that renders nothing is caught).
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import yaml

LAYOUT = """\
<!doctype html>
{{- $page := . }}
<html lang="{{ site.LanguageCode }}"><head><meta charset="utf-8"><title>{{ .Title }} · {{ site.Title }}</title>
<meta name="description" content="{{ .Description }}"></head>
<body><main><h1>{{ .Title }}</h1>
<p>Last reviewed {{ with .Params.reviewed }}{{ time.Format "2006-01-02" . }}{{ end }}
{{- with .Params.reviewed_by }} by {{ . }}{{ end }}</p>
<div>{{ .Content }}</div><div>{{ .Params.disclaimer | markdownify }}</div>
<div>{{ .Params.instructions | markdownify }}</div>
{{- range $level, $tier := .Params.get_help }}<section><h3>{{ $tier.title }}</h3><ul>
{{- range $tier.signs }}<li>{{ . }}</li>{{ end }}</ul>
<a href="tel:{{ index site.Params.numbers $level }}">Call</a></section>{{ end }}
{{ range .Params.groups }}
{{- $stretches := where $page.Pages "Params.group" .id }}
{{- $seconds := 0 }}{{ range $stretches }}{{ if not .Params.extra }}
{{- $seconds = add $seconds (.Params.duration | default 0) }}{{ end }}{{ end }}
<section id="{{ .id }}"><h2>{{ .title }} — takes {{ div (add $seconds 59) 60 }} minutes</h2>
{{ range $stretches }}
<details id="{{ .Params.stretch_id }}"><summary>{{ .Title }}{{ with .Params.hold }} hold {{ . }} s{{ end }}
{{- with .Params.reps }}, {{ . }} reps{{ end }}</summary>
{{ if .Params.image }}<img src="{{ .Params.image | relURL }}" alt="{{ .Params.alt }}">{{ end }}
<div class="stretch-body">{{ .Content }}</div>
{{- with .Params.caution }}<p>Caution: {{ . }}</p>{{ end }}</details>
{{ end }}</section>
{{ end }}
{{- with site.Params.cta }}<a href="{{ .url }}">{{ .label }}</a>{{ end }}
</main><footer>{{ site.Params.footer }}</footer></body></html>
"""

# Every stretch in Hugo's output: its <details>, then a body that starts with an element Goldmark wrote.
STRETCH = re.compile(r'<details id="([^"]*)">(?:(?!</details>).)*<div class="stretch-body">'
                     r'<(?:p|ol|ul|h[1-6]|blockquote|pre)>', re.DOTALL)


def _front_matter(path: Path) -> tuple[str, str]:
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return front, body


def convert(project: Path, hugo: Path) -> list[str]:
    """Write the Hugo project of ``project`` to ``hugo``; return the ids of its stretches, in order."""
    if hugo.exists():
        shutil.rmtree(hugo)
    content = project / "content"
    site = yaml.safe_load((content / "site.yaml").read_text(encoding="utf-8"))
    config = {"baseURL": site["base_url"], "languageCode": site.get("language", "en"), "title": site["title"],
              "disableKinds": ["home", "taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"],
              "params": {"cta": site.get("cta"), "footer": site.get("footer", ""),
                         "numbers": {"emergency": site.get("emergency_number"), "urgent": site.get("urgent_number"),
                                     "gp": site.get("phone")}}}
    hugo.mkdir(parents=True)
    (hugo / "config.json").write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
    (hugo / "layouts/_default").mkdir(parents=True)
    (hugo / "layouts/_default/list.html").write_text(LAYOUT, encoding="utf-8")
    ids = []
    for folder in sorted(p for p in content.iterdir() if p.is_dir()):
        page = hugo / "content" / folder.name
        page.mkdir(parents=True)
        shutil.copyfile(folder / "_page.md", page / "_index.md")
        groups = yaml.safe_load(_front_matter(folder / "_page.md")[0])["groups"]
        for group in groups:
            (page / group["id"]).mkdir()
            for weight, path in enumerate(sorted((folder / group["id"]).glob("*.md")), 1):
                front, body = _front_matter(path)
                meta = yaml.safe_load(front)
                stretch_id = path.stem.split("-", 1)[1]
                if meta.get("image"):
                    picture = project / "assets" / meta["image"]
                    if not picture.is_file():
                        raise SystemExit(f"{path}: bench/hugo_site.py looks for pictures in assets/ only")
                    target = hugo / "static" / meta["image"]
                    if not target.exists():
                        target.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copyfile(picture, target)
                added = (f"group: {group['id']}\nstretch_id: {stretch_id}\nweight: {weight}\n"
                         "_build:\n  render: never\n  list: always\n")
                (page / group["id"] / path.name).write_text(f"---\n{front}{added}---\n{body}", encoding="utf-8")
                ids.append(stretch_id)
    return ids


def check(public: Path, expected: list[str]) -> int:
    """The number of stretches Hugo wrote, each with its body rendered; exits unless it is all of ``expected``."""
    found = []
    for html in sorted(public.glob("*/index.html")):
        found += STRETCH.findall(html.read_text(encoding="utf-8"))
    if sorted(found) != sorted(expected):
        raise SystemExit(f"Hugo's output in {public} has {len(found)} rendered stretches, not the "
                         f"{len(expected)} of the project: the Hugo project or Hugo itself is misconfigured")
    return len(found)


if __name__ == "__main__":
    print(f"hugo project: {len(convert(Path(sys.argv[1]), Path(sys.argv[2])))} stretches")
