"""``relief new``: a target on the command line in, a new content file that builds out.

``PAGE/GROUP/NAME`` writes the group's next numbered stretch file; ``PAGE`` writes a page
with one group. Each front matter field is written with its help text from
``relief.load.schema``, so the file explains itself, and each text to write with one of its
``PLACEHOLDERS`` (published, they are an error). New pages and stretches are drafts: shown in
``relief serve``, left out of the published site until ``draft: false``.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import yaml

from ..errors import ContentError, printable
from ..load import schema
from ..load.files import Files
from ..load.frontmatter import decode, parse_yaml, split_front_matter
from ..load.schema import PLACEHOLDERS
from ..load.tree import RESERVED_SLUGS, STRETCH_FILE
from ..report import shown

FIRST_GROUP = "routine"


class Refused(Exception):
    """The target cannot be scaffolded; ``code`` is the exit status (2: wrong usage)."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def new(project: Path, target: str) -> int:
    """Write the file(s) ``target`` names; 0 on success, 1 or 2 with a message otherwise."""
    parts = target.strip("/").split("/")
    try:
        if len(parts) == 3:
            written = [new_stretch(project / "content", *parts)]
        elif len(parts) == 1:
            written = new_page(project / "content", parts[0])
        else:
            raise Refused(f"'{target}' is neither PAGE nor PAGE/GROUP/NAME, e.g. middle-back-relief/sitting/neck-roll")
    except Refused as refused:
        print(f"relief new: {printable(str(refused))}", file=sys.stderr)
        return refused.code
    except ContentError as error:
        print(f"{error.format(project)}\nrelief new: fix this first, then try again.", file=sys.stderr)
        return 1
    for path in written:
        print(f"Wrote {shown(path, project)}")
    print("New pages and stretches are drafts: 'relief serve' shows them; replace the texts written to be "
          "replaced and set 'draft: false' to publish.")
    return 0


def new_stretch(content: Path, page: str, group: str, name: str) -> Path:
    """Write ``content/PAGE/GROUP/NN-NAME.md``, NN one more than the group's last number."""
    _check_slug(name, "stretch name")
    page_file = content / page / "_page.md"
    if not page_file.is_file():
        pages = sorted(p.parent.name for p in content.glob("*/_page.md"))
        raise Refused(f"there is no page '{page}' (content/{page}/_page.md); pages: {', '.join(pages) or 'none'}. "
                      f"Create one with 'relief new {page}'.")
    groups = _group_ids(page_file)
    if group not in groups:
        raise Refused(f"page '{page}' has no group '{group}'; its groups: {', '.join(groups)}. "
                      f"Add it under 'groups:' in content/{page}/_page.md first.")
    for existing in sorted((content / page).glob("*/*.md")):
        match = STRETCH_FILE.fullmatch(existing.name)
        if match and match.group(2) == name:
            raise Refused(f"page '{page}' already has a stretch '{name}': "
                          f"{existing.relative_to(content.parent)}; choose another name", code=1)
    folder = content / page / group
    numbers = [int(m.group(1)) for p in folder.glob("*.md") if (m := STRETCH_FILE.fullmatch(p.name))]
    path = folder / f"{max(numbers, default=0) + 1:02d}-{name}.md"
    folder.mkdir(exist_ok=True)
    with path.open("x", encoding="utf-8") as file:  # "x": never overwrite, even in a race
        file.write(stretch_text(name))
    return path


def stretch_text(name: str) -> str:
    fields = [(key, _yaml_text(_title(name)) if key == "title" else spec.example.format(name=name), spec.help,
               not (spec.required or spec.scaffold))
              for key, spec in schema.STRETCH.items()]
    return "---\n" + _front_matter(fields) + f"---\n1. {PLACEHOLDERS['step']}\n"


def new_page(content: Path, page: str) -> list[Path]:
    """Write ``content/PAGE/_page.md`` with one group and a draft stretch in it."""
    _check_slug(page, "page name")
    if page in RESERVED_SLUGS:
        raise Refused(f"'{page}' is a reserved name; choose another")
    if (content / page).exists():
        raise Refused(f"content/{page}/ already exists; choose another name", code=1)
    if not (content / "site.yaml").is_file():
        raise Refused(f"{content}/site.yaml is missing: run this in a project folder or pass --project DIR")
    help_of = {key: spec.help for key, spec in schema.PAGE.items()}
    group_help = {key: spec.help for key, spec in schema.GROUP.items()}
    front = _front_matter([
        ("title", _yaml_text(_title(page)), help_of["title"], False),
        ("description", PLACEHOLDERS["description"], help_of["description"], False),
        ("reviewed", dt.date.today().isoformat(), help_of["reviewed"], False),
        ("reviewed_by", PLACEHOLDERS["reviewed_by"], help_of["reviewed_by"], True),
        ("draft", "true", help_of["draft"], False),
        ("groups", "", help_of["groups"], False),
        ("  - id", FIRST_GROUP, group_help["id"], False),
        ("    title", "Do these", group_help["title"], False),
        ("    extra_title", "Add this whenever you can", group_help["extra_title"], True),
        ("disclaimer", "|", help_of["disclaimer"], False),
        f"  1. {PLACEHOLDERS['disclaimer']}",
        ("instructions", "|", help_of["instructions"], False),
        f"  1. {PLACEHOLDERS['instructions']}",
        ("get_help", "|", help_of["get_help"], False),
        f"  - {PLACEHOLDERS['get_help']}",
    ])
    (content / page).mkdir()
    page_file = content / page / "_page.md"
    page_file.write_text(f"---\n{front}---\n{PLACEHOLDERS['introduction']}\n",
                         encoding="utf-8")
    return [page_file, new_stretch(content, page, FIRST_GROUP, "first-stretch")]


def _front_matter(fields: list[tuple[str, str, str, bool] | str]) -> str:
    """``key: value  # help`` lines, aligned; a field marked off is commented out; a string is a line as is."""
    lines = [field if isinstance(field, str) else (f"{'# ' if field[3] else ''}{field[0]}:"
                                                     f"{' ' + field[1] if field[1] else ''}", field[2])
             for field in fields]
    width = max(len(line[0]) for line in lines if isinstance(line, tuple)) + 2
    return "".join(f"{line}\n" if isinstance(line, str) else f"{line[0]:<{width}}# {line[1]}\n" for line in lines)


def _group_ids(page_file: Path) -> list[str]:
    source = split_front_matter(page_file, decode(page_file, Files(page_file.parents[2]).read(page_file)))
    data = parse_yaml(page_file, source.front or "", source.front_line).data
    groups = data.get("groups") if isinstance(data, dict) else None
    return [g["id"] for g in groups or [] if isinstance(g, dict) and isinstance(g.get("id"), str)]


def _check_slug(value: str, what: str) -> None:
    try:
        schema.slug(value)
    except ValueError:
        suggestion = "-".join("".join(c if c.isalnum() else " " for c in value.lower()).split())
        raise Refused(f"the {what} '{value}' becomes a file name and a URL: use lower-case letters, digits "
                      f"and hyphens{f', e.g. {suggestion}' if suggestion else ''}") from None


def _title(slug: str) -> str:
    """``doorway-stretch`` -> ``Doorway stretch``."""
    return slug.replace("-", " ").capitalize()


def _yaml_text(text: str) -> str:
    """``text`` as a YAML value that reads back as this string (``'90'``, not the number 90)."""
    return text if yaml.safe_load(text) == text else yaml.safe_dump(text).removesuffix("\n...\n").strip()
