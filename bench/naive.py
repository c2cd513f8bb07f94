"""The floor to compare against: a naive single-pass generator of the same content.

``python bench/naive.py PROJECT OUT``: jinja2 + markdown + yaml, the way a first script
would do it. No cache, no validation, one ``Markdown()`` per file, ``yaml.safe_load``
(the pure-Python loader); pictures copied beside the pages.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import jinja2
import markdown
import yaml

PAGE = jinja2.Template("""<!doctype html>
<html lang="{{ site.language }}"><head><meta charset="utf-8"><title>{{ page.title }} · {{ site.title }}</title>
<meta name="description" content="{{ page.description }}"></head>
<body><main><h1>{{ page.title }}</h1>
<p>Last reviewed {{ page.reviewed }} by {{ page.reviewed_by }}</p>
<div>{{ intro | safe }}</div><div>{{ disclaimer | safe }}</div>
<div>{{ instructions | safe }}</div>
{% for level, tier in page.get_help.items() %}<section><h3>{{ tier.title }}</h3><ul>
{% for sign in tier.signs %}<li>{{ sign }}</li>{% endfor %}</ul>
<a href="tel:{{ site[numbers[level]] }}">Call</a></section>
{% endfor %}
{% for group in groups %}
<section id="{{ group.id }}"><h2>{{ group.title }} — takes {{ group.minutes }} minutes</h2>
{% for s in group.stretches %}
<details id="{{ s.id }}"><summary>{{ s.meta.title }}{% if s.meta.hold %} hold {{ s.meta.hold }} s{% endif %}</summary>
{% if s.meta.image %}<img src="{{ s.image }}" alt="{{ s.meta.alt }}">{% endif %}
{{ s.html | safe }}{% if s.meta.caution %}<p>Caution: {{ s.meta.caution }}</p>{% endif %}</details>
{% endfor %}</section>
{% endfor %}
{% if site.cta %}<a href="{{ site.cta.url }}">{{ site.cta.label }}</a>{% endif %}
</main><footer>{{ site.footer }}</footer></body></html>
""", autoescape=True)


def front_matter(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def to_html(text: str) -> str:
    return markdown.Markdown(extensions=["sane_lists"]).convert(text)


def build(project: Path, out: Path) -> int:
    content = project / "content"
    site = yaml.safe_load((content / "site.yaml").read_text(encoding="utf-8"))
    shutil.rmtree(out, ignore_errors=True)
    count = 0
    for folder in sorted(p for p in content.iterdir() if p.is_dir()):
        page, intro = front_matter(folder / "_page.md")
        groups = []
        for group in page["groups"]:
            stretches = []
            for path in sorted((folder / group["id"]).glob("*.md")):
                meta, body = front_matter(path)
                image = ""
                if meta.get("image"):
                    source = path.parent / meta["image"]
                    if not source.is_file():
                        source = project / "assets" / meta["image"]
                    image = f"{group['id']}/{source.name}"
                    if not (out / folder.name / image).exists():
                        (out / folder.name / group["id"]).mkdir(parents=True, exist_ok=True)
                        shutil.copyfile(source, out / folder.name / image)
                stretches.append({"id": path.stem.split("-", 1)[1], "meta": meta, "html": to_html(body),
                                  "image": image})
            seconds = sum(s["meta"].get("duration", 0) for s in stretches if not s["meta"].get("extra"))
            groups.append({**group, "stretches": stretches, "minutes": -(-seconds // 60)})
            count += len(stretches)
        html = PAGE.render(site=site, page=page, groups=groups, intro=to_html(intro),
                           disclaimer=to_html(page["disclaimer"]), instructions=to_html(page["instructions"]),
                           numbers={"emergency": "emergency_number", "urgent": "urgent_number", "gp": "phone"})
        (out / folder.name).mkdir(parents=True, exist_ok=True)
        (out / folder.name / "index.html").write_text(html, encoding="utf-8")
    return count


if __name__ == "__main__":
    print(f"naive: {build(Path(sys.argv[1]), Path(sys.argv[2]))} stretches")
