"""Bad input (SPEC §6): one clear line per mistake at its file and line, exit 1, ``dist/`` untouched.

Every case starts from a built tiny site, makes one mistake and builds again through the
command line. Content is never code and nothing from outside the project reaches the bundle.
"""

from __future__ import annotations

import io
import os
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import NUMBERS, SLOW_MARKDOWN, SVG, Run, page_md, stretch_md, tree_hash, write

from relief.load.markdown import _too_slow

SITE = "content/site.yaml"
PAGE = "content/neck-relief/_page.md"
GROUP = "content/neck-relief/sitting"
STRETCH = f"{GROUP}/02-chin-tuck.md"
STANDING = "  - id: standing\n    title: If standing, do these\n"


@dataclass(frozen=True)
class Case:
    change: Callable[[Path], object]  # makes the mistake in a copy of the tiny site
    path: str  # the file the message names
    at: int | str  # its line: a number, or the text on that line of the file
    says: str  # what is wrong and what to do, as printed
    column: int | None = None


def put(relative: str, text: str | bytes) -> Callable[[Path], object]:
    def change(root: Path) -> None:
        if isinstance(text, bytes):
            (root / relative).write_bytes(text)
        else:
            write(root / relative, text)

    return change


def edit(relative: str, old: str, new: str) -> Callable[[Path], object]:
    def change(root: Path) -> None:
        text = (root / relative).read_text(encoding="utf-8")
        assert old in text
        write(root / relative, text.replace(old, new, 1))

    return change


def fifo(relative: str) -> Callable[[Path], object]:
    """A named pipe where a file is expected: opening it would wait forever."""
    def change(root: Path) -> None:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(root / relative)

    return change


def unix_socket(relative: str) -> Callable[[Path], object]:
    def change(root: Path) -> None:
        here = os.getcwd()
        os.chdir((root / relative).parent)  # a socket's path is limited to about 100 bytes: bind it by name
        try:
            with socket.socket(socket.AF_UNIX) as server:
                server.bind(Path(relative).name)
        finally:
            os.chdir(here)

    return change


def link_to(relative: str, target: str) -> Callable[[Path], object]:
    """Replace ``relative`` by a link to ``target``, a file outside the project (/proc/self/environ, say)."""
    def change(root: Path) -> None:
        (root / relative).unlink(missing_ok=True)
        (root / relative).symlink_to(target)

    return change


def jpeg_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "JPEG")
    return buffer.getvalue()


def svg(*inner: str, root: str = "") -> str:
    """A drawing whose lines after the first are ``inner``: the first of them is line 2."""
    return "\n".join([f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 90"{root}>', *inner, "</svg>", ""])


PICTURE = f"{GROUP}/roll.svg"


def both(*changes: Callable[[Path], object]) -> Callable[[Path], object]:
    def change(root: Path) -> None:
        for each in changes:
            each(root)

    return change


def link_outside(relative: str, text: str) -> Callable[[Path], object]:
    """Make ``relative`` a symbolic link to outside the project: to a new file holding ``text``, or
    (``text`` empty) to the file or folder that was there, moved out."""

    def change(root: Path) -> None:
        outside = root.parent / "outside" / Path(relative).name
        outside.parent.mkdir(exist_ok=True)
        if text:
            write(outside, text)
        else:
            (root / relative).rename(outside)
        (root / relative).unlink(missing_ok=True)
        (root / relative).symlink_to(outside)

    return change


CASES = [
    # broken YAML, at the line to fix
    pytest.param(Case(put(STRETCH, "---\ntitle: Chin tuck\nduration: 30\nhold: [5, 6\nreps: 3\n---\n1. Tuck.\n"),
                      STRETCH, 4, "YAML error: while parsing a flow sequence", 7), id="yaml-unclosed-bracket"),
    pytest.param(Case(edit(PAGE, "    title: If sitting", "   title: If sitting"), PAGE, "   title: If sitting",
                      "YAML error", 4), id="yaml-bad-indentation"),
    pytest.param(Case(put(STRETCH, "---\ntitle: Chin tuck\n\tduration: 30\n---\n1. Tuck.\n"), STRETCH, 3,
                      "found a tab character"), id="yaml-tab"),
    pytest.param(Case(put(STRETCH, "---\ntitle: Chin tuck\nhold 5\nduration: 30\n---\n1. Tuck.\n"), STRETCH, 3,
                      "could not find expected ':'; check indentation, colons"), id="yaml-missing-colon"),
    pytest.param(Case(put(STRETCH, "---\ntitle: Chin tuck\nduration: 30\ntitle: Tuck\n---\n1. Tuck.\n"), STRETCH, 4,
                      "duplicate key 'title' (first on line 2); keep only one"), id="yaml-duplicate-key"),
    # a front matter fence left open
    pytest.param(Case(put(STRETCH, "---\ntitle: Chin tuck\nduration: 30\n1. Tuck.\n"), STRETCH, 1,
                      "never closed; add a line '---'"), id="unclosed-fence-stretch"),
    pytest.param(Case(edit(PAGE, "---\nThis is for you", "This is for you"), PAGE, 1, "never closed"),
                 id="unclosed-fence-page"),
    # wrong types
    pytest.param(Case(put(STRETCH, stretch_md("Chin tuck", duration="thirty")), STRETCH, "duration:",
                      "'duration' must be a whole number of seconds greater than 0, e.g. 30"), id="string-duration"),
    pytest.param(Case(put(STRETCH, "---\ntitle: [Chin, tuck]\nduration: 30\n---\n1. Tuck.\n"), STRETCH, 2,
                      "'title' must be non-empty text"), id="list-title"),
    pytest.param(Case(put(STRETCH, stretch_md("Chin tuck", 30, extra="sometimes")), STRETCH, "extra:",
                      "'extra' must be true or false"), id="string-extra"),
    pytest.param(Case(edit(PAGE, "reviewed: 2026-01-02", "reviewed: last spring"), PAGE, "reviewed:",
                      "must be a date written YYYY-MM-DD"), id="page-bad-date"),
    pytest.param(Case(edit(PAGE, "reviewed: 2026-01-02", "reviewed: 2026-02-30"), PAGE, "reviewed:",
                      "'2026-02-30' is not a valid date (day is out of range for month)", 11),
                 id="page-impossible-date"),
    pytest.param(Case(edit(PAGE, "groups:\n  - id: sitting\n    title: If sitting, do these\n"
                           "    extra_title: Add this whenever sitting\n", "groups: sitting\n"), PAGE, "groups:",
                      "'groups' must be a list of entries starting with '- '"), id="page-groups-not-a-list"),
    pytest.param(Case(put(STRETCH, "---\n- title\n- duration\n---\n1. Tuck.\n"), STRETCH, 2,
                      "must be a mapping of 'key: value' lines"), id="front-matter-a-list"),
    # missing required fields
    pytest.param(Case(put(STRETCH, "---\nduration: 30\n---\n1. Tuck.\n"), STRETCH, 2,
                      "missing 'title': add 'title:'"), id="missing-title"),
    pytest.param(Case(edit(PAGE, "description: Stretches for a stiff neck.\n", ""), PAGE, 2,
                      "missing 'description': add 'description:'"), id="page-missing-description"),
    pytest.param(Case(put(SITE, "title: Tiny Site\n"), SITE, 1, "missing 'base_url'"), id="site-missing-base-url"),
    pytest.param(Case(put(STRETCH, stretch_md("Chin tuck", 30, body="")), STRETCH, 5, "has no instructions; write"),
                 id="missing-body"),
    # urgent care, its numbers and the review dates (issue 14)
    pytest.param(Case(edit(SITE, "phone: 020 7946 0123", "phone: call me"), SITE, "phone:",
                      "'phone' must be a telephone number: digits, spaces, hyphens", 1), id="phone-in-words"),
    pytest.param(Case(edit(SITE, 'urgent_number: "111"', "urgent_number: 1234567890123456"), SITE, "urgent_number:",
                      "'urgent_number' must be a telephone number"), id="phone-of-16-digits"),
    pytest.param(Case(edit(SITE, 'emergency_number: "999"', 'emergency_number: "99+9"'), SITE, "emergency_number:",
                      "a '+' only in front"), id="phone-plus-inside"),
    pytest.param(Case(edit(SITE, 'emergency_number: "999"\n', ""), PAGE, "  emergency:",
                      "the 'emergency' box calls site.yaml's 'emergency_number', which is not set; add "
                      "'emergency_number:' to content/site.yaml"), id="tier-without-its-number"),
    pytest.param(Case(edit(PAGE, "reviewed: 2026-01-02", "reviewed: 2026-01-02\nnext_review: next spring"), PAGE,
                      "next_review:", "'next_review' must be a date written YYYY-MM-DD"), id="next-review-not-a-date"),
    pytest.param(Case(edit(PAGE, "reviewed: 2026-01-02", "reviewed: 2026-01-02\nnext_review: 2025-12-01"), PAGE,
                      "next_review:", "'next_review' 2025-12-01 is not after 'reviewed' 2026-01-02"),
                 id="next-review-before-reviewed"),
    pytest.param(Case(edit(PAGE, "    title: Get urgent advice today\n    signs:\n      - A fever.\n",
                           "    title: Get urgent advice today\n"), PAGE, "  urgent:",
                      "missing 'signs'"), id="tier-without-signs"),
    pytest.param(Case(edit(PAGE, "      - A fever.\n", "      - A fever.\n      - \n"), PAGE, 20,
                      "'signs' must be a list of one or more short texts"), id="tier-with-an-empty-sign"),
    pytest.param(Case(edit(PAGE, "  gp:\n    title: See a GP or physiotherapist\n    signs:\n"
                           "      - Not better after 2 weeks.\n", ""), PAGE, "get_help:",
                      "missing 'gp'"), id="tier-missing"),
    pytest.param(Case(edit(PAGE, "  urgent:\n", "  urgnet:\n"), PAGE, "  urgnet:",
                      "unknown key 'urgnet'"), id="tier-misspelt"),
    pytest.param(Case(lambda root: write(root / PAGE, re.sub(r"get_help:\n(  .*\n)+", "get_help: |\n  - A fall.\n",
                                                           (root / PAGE).read_text(encoding="utf-8"))),
                      PAGE, "get_help:", "'get_help' must be a mapping"), id="get-help-as-markdown"),
    # unknown keys
    pytest.param(Case(edit(PAGE, "    title: If sitting", "    titel: If sitting"), PAGE, "titel:",
                      "unknown key 'titel' in entry 1 of 'groups'; did you mean 'title'?", 5), id="unknown-group-key"),
    # an empty or non-UTF-8 file
    pytest.param(Case(put(STRETCH, ""), STRETCH, 1, "the file is empty"), id="empty-stretch"),
    pytest.param(Case(put(PAGE, "\n  \n"), PAGE, 1, "the file is empty"), id="empty-page"),
    pytest.param(Case(put(SITE, ""), SITE, 1, "is empty; give it at least 'title:' and 'base_url:'"), id="empty-site"),
    pytest.param(Case(put(STRETCH, b"---\ntitle: Chin tuck\nduration: 30\n---\n1. Tuck the ch\xefn.\n"), STRETCH, 5,
                      "is not UTF-8 text; save the file with UTF-8 encoding", 15), id="latin-1-stretch"),
    pytest.param(Case(put(SITE, b"title: Caf\xe9\nbase_url: https://example.org/\n"), SITE, 1, "is not UTF-8", 11),
                 id="latin-1-site"),
    pytest.param(Case(lambda root: (root / f"{GROUP}/04-folder.md").mkdir(), f"{GROUP}/04-folder.md", 1,
                      "is a folder, not a file"), id="folder-named-like-a-stretch"),
    # duplicate ids
    pytest.param(Case(both(edit(PAGE, "groups:\n", f"groups:\n{STANDING}"),
                           put("content/neck-relief/standing/01-chin-tuck.md", stretch_md("Chin tuck again", 30))),
                      STRETCH, 1, "duplicate stretch id 'chin-tuck' (also content/neck-relief/standing/"
                      "01-chin-tuck.md); rename one file"), id="duplicate-stretch-id"),
    pytest.param(Case(edit(PAGE, "groups:\n", "groups:\n  - id: sitting\n    title: Sitting again\n"), PAGE, 8,
                      "duplicate group id 'sitting'; give each group its own id"), id="duplicate-group-id"),
    pytest.param(Case(both(put("content/assets/_page.md", page_md()), put("content/assets/sitting/01-x.md",
                                                                        stretch_md("X", 30))),
                      "content/assets/_page.md", 1, "the page folder name 'assets' is its URL"),
                 id="page-slug-taken-by-the-bundle"),
    pytest.param(Case(put(f"{GROUP}/04_Neck Stretch.md", stretch_md("Neck", 30)), f"{GROUP}/04_Neck Stretch.md", 1,
                      "name stretch files '<NN>-<name>.md'"), id="bad-stretch-file-name"),
    # a group without a folder, a folder without a group
    pytest.param(Case(edit(PAGE, "groups:\n", f"groups:\n{STANDING}"), PAGE, "  - id: standing",
                      "group 'standing' has no folder content/neck-relief/standing/; create it or remove the group"),
                 id="group-without-folder"),
    pytest.param(Case(put("content/neck-relief/lying/01-rest.md", stretch_md("Rest", 30)), PAGE, "groups:",
                      "folder 'lying/' is not one of the page's groups; add it under 'groups:'"),
                 id="folder-without-group"),
    # pictures
    pytest.param(Case(put(STRETCH, stretch_md("Chin tuck", 30, image="chin.svg", alt="Chin in.")), STRETCH,
                      "image:", "image 'chin.svg' does not exist next to this file or in assets/"), id="no-such-image"),
    pytest.param(Case(put(STRETCH, stretch_md("Chin tuck", 30, image="roll.svg")), STRETCH, "image:",
                      "'image' needs 'alt': describe what the picture shows"), id="image-without-alt"),
    # nothing from outside the project
    pytest.param(Case(put(STRETCH, stretch_md("Chin tuck", 30, image="../../../../outside/secret.svg", alt="x")),
                      STRETCH, "image:", "must be a path inside the project (relative, without '..')"),
                 id="image-with-dot-dot"),
    pytest.param(Case(put(STRETCH, stretch_md("Chin tuck", 30, image="/etc/hostname", alt="x")), STRETCH, "image:",
                      "must be a path inside the project"), id="image-absolute"),
    pytest.param(Case(link_outside(f"{GROUP}/roll.svg", SVG), f"{GROUP}/roll.svg", 1,
                      "is a link to a file outside the project; copy the file into the project"),
                 id="image-symlink-outside"),
    pytest.param(Case(link_outside(STRETCH, stretch_md("Secret", 30)), STRETCH, 1,
                      "is a link to a file outside the project"), id="stretch-symlink-outside"),
    pytest.param(Case(link_outside(GROUP, ""), GROUP, 1, "is a link to a folder outside the project; copy"),
                 id="group-folder-symlink-outside"),
    pytest.param(Case(link_outside("assets/notes.txt", "secret\n"), "assets/notes.txt", 1,
                      "is a link to a file outside the project; copy the file into the project instead"),
                 id="asset-symlink-outside"),
    pytest.param(Case(both(put("assets/pictures/hip.svg", SVG), link_outside("assets/pictures", "")),
                      "assets/pictures", 1,
                      "is a link to a folder outside the project; copy the folder into the project instead"),
                 id="asset-folder-symlink-outside"),
    # templates
    pytest.param(Case(lambda root: (root / "templates/_stretch.html").unlink(), "templates/_stretch.html", 1,
                      "template '_stretch.html' is missing; restore it in templates/"), id="missing-template"),
    pytest.param(Case(put("templates/_stretch.html", "<details>\n<summary>{{ stretch.title }}</summary>\n"
                          "{% endfor %}\n</details>\n"), "templates/_stretch.html", 3,
                      "template syntax: Encountered unknown tag 'endfor'"), id="template-syntax-error"),
    # site.yaml
    pytest.param(Case(put(SITE, "title: Tiny Site\nbase_url: https://example.org/\nlanguag: en\n"), SITE, 3,
                      "unknown key 'languag' in site.yaml; did you mean 'language'?", 1), id="site-unknown-key"),
    pytest.param(Case(put(SITE, "title: Tiny Site\nshort_name: Middle Back Relief\nbase_url: https://example.org/\n"),
                      SITE, 2, "'short_name' must be at most 12 characters (a phone cuts a longer name under its "
                      "icon); 'Middle Back Relief' has 18"), id="site-short-name-too-long"),
    pytest.param(Case(put(SITE, "title: Tiny Site\nbase_url: https://example.org/\noffline: no way\n"), SITE, 3,
                      "'offline' must be true or false"), id="site-offline-not-a-flag"),
    pytest.param(Case(put(SITE, "title: Tiny Site\nbase_url: example.org/relief\n"), SITE, 2,
                      "'base_url' must be an absolute http(s) URL, e.g. https://example.org/relief/"),
                 id="site-bad-base-url"),
    pytest.param(Case(put(SITE, "title: Tiny Site\nbase_url: https://example.org/\ncta:\n  title: 'Book now\n"
                          "  url: https://example.org/book\n"), SITE, 4, "YAML error: while scanning a quoted scalar",
                      10), id="site-broken-yaml"),
    pytest.param(Case(put(SITE, f"title: Tiny Site\nbase_url: https://example.org/\nhome: back-relief\n{NUMBERS}"),
                      SITE, 1,
                      "'home' names page 'back-relief', but there is no folder content/back-relief/"),
                 id="site-home-without-page"),
    pytest.param(Case(put(SITE, "title: Tiny Site\nbase_url: https://example.org/\nlanguage: English\n"), SITE, 3,
                      "must be a BCP 47 language tag, e.g. en or en-GB"), id="site-bad-language"),
    pytest.param(Case(put(f"{GROUP}/04-sitting.md", stretch_md("Sitting", 30)), f"{GROUP}/04-sitting.md", 1,
                      "the stretch id 'sitting' is already the id of a group or a part of the page"),
                 id="stretch-id-clashes-with-group-id"),
    pytest.param(Case(put(f"{GROUP}/04-main.md", stretch_md("Main", 30)), f"{GROUP}/04-main.md", 1,
                      "the stretch id 'main' is already the id of a group or a part of the page"),
                 id="stretch-id-clashes-with-page-part"),
    pytest.param(Case(put("assets/css/extra.css", b"body {\n  content: '\xe9';\n}\n"), "assets/css/extra.css", 2,
                      "is not UTF-8 text", 13), id="non-utf8-stylesheet"),
    # links, pictures and files that could run script or read the machine (issue 12)
    pytest.param(Case(put(SITE, "title: Tiny Site\nbase_url: https://example.org/\ncta:\n  title: Book\n  text: Now.\n"
                          "  label: Book a session\n  url: \"java\\tscript:alert(1)//://\"\n"), SITE, 7,
                      "'url' must be a safe link: 'javascript:' links are not allowed"), id="cta-url-with-a-tab"),
    pytest.param(Case(put(SITE, "title: Tiny Site\nbase_url: https://example.org/\ncta:\n  title: Book\n  text: Now.\n"
                          "  label: Book\n  url: \" &#106;avascript:alert(1)\"\n"), SITE, 7,
                      "'javascript:' links are not allowed"), id="cta-url-with-an-entity"),
    pytest.param(Case(put(PICTURE, svg('<path d="M1 1h9"/>', root=' onload="alert(1)"')), PICTURE, 1,
                      "<svg> has an event attribute 'onload', which runs script"), id="svg-onload"),
    pytest.param(Case(put(PICTURE, svg("<title>x</title>", "<script>alert(1)</script>")), PICTURE, 3,
                      "has a <script> element"), id="svg-script"),
    pytest.param(Case(put(PICTURE, svg('<a href="javascript:alert(1)"><path d="M1 1h9"/></a>')), PICTURE, 2,
                      "<a> links to 'javascript:alert(1)', outside the drawing"), id="svg-script-link"),
    pytest.param(Case(put(PICTURE, svg('<image href="https://tracker.example/p.png" width="9" height="9"/>')),
                      PICTURE, 2, "links to 'https://tracker.example/p.png', outside the drawing"),
                 id="svg-external-image"),
    pytest.param(Case(put(PICTURE, svg("<foreignObject><p xmlns='http://www.w3.org/1999/xhtml'>x</p>"
                                       "</foreignObject>")), PICTURE, 2, "has a <foreignObject> element"),
                 id="svg-foreign-object"),
    pytest.param(Case(put(PICTURE, svg("<style>@import url(https://tracker.example/x.css);</style>")), PICTURE, 2,
                      "has a <style> that loads something from outside the drawing"), id="svg-style-import"),
    pytest.param(Case(put(PICTURE, '<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>\n'), PICTURE, 1,
                      "is not an SVG drawing"), id="svg-that-is-html"),
    pytest.param(Case(put(PICTURE, "<svg><path></svg>\n"), PICTURE, 1, "is not a well-formed SVG"),
                 id="svg-not-xml"),
    pytest.param(Case(both(put(f"{GROUP}/pic.html", b"\x89PNG\r\n\x1a\n"),
                           edit(f"{GROUP}/01-neck-roll.md", "image: roll.svg", "image: pic.html")),
                      f"{GROUP}/01-neck-roll.md", "image:", "image 'pic.html' is not a picture file"),
                 id="picture-named-html"),
    pytest.param(Case(both(put(f"{GROUP}/roll.png", b"<script>alert(1)</script>"),
                           edit(f"{GROUP}/01-neck-roll.md", "image: roll.svg", "image: roll.png")),
                      f"{GROUP}/roll.png", 1, "is named .png but is not a PNG image"), id="png-that-is-not"),
    pytest.param(Case(both(put(f"{GROUP}/roll.png", jpeg_bytes()),
                           edit(f"{GROUP}/01-neck-roll.md", "image: roll.svg", "image: roll.png")),
                      f"{GROUP}/roll.png", 1, "is named .png but holds a JPEG image"), id="png-that-is-a-jpeg"),
    pytest.param(Case(put("assets/page.html", "<script>alert(document.cookie)</script>\n"), "assets/page.html", 1,
                      "is a '.html' file, which is not published"), id="asset-html"),
    pytest.param(Case(put("assets/icons/logo.svg", svg("<script>alert(1)</script>")), "assets/icons/logo.svg", 2,
                      "has a <script> element"), id="asset-svg-script"),
    pytest.param(Case(link_to("templates/_meta.html", "/proc/self/environ"), "templates/_meta.html", 1,
                      "is a link to a file outside the project"), id="template-link-to-environ"),
    pytest.param(Case(link_to(SITE, "/etc/hostname"), SITE, 1, "is a link to a file outside the project"),
                 id="site-yaml-link-outside"),
    # what must never hang (issue 13)
    pytest.param(Case(fifo(f"{GROUP}/04-pipe.md"), f"{GROUP}/04-pipe.md", 1,
                      "is a FIFO (named pipe), not a file; relief does not open it"), id="fifo-stretch"),
    pytest.param(Case(both(lambda root: (root / PAGE).unlink(), fifo(PAGE)), PAGE, 1, "is a FIFO (named pipe)"),
                 id="fifo-page"),
    pytest.param(Case(both(lambda root: (root / SITE).unlink(), fifo(SITE)), SITE, 1, "is a FIFO (named pipe)"),
                 id="fifo-site-yaml"),
    pytest.param(Case(fifo("templates/_extra.html"), "templates/_extra.html", 1, "is a FIFO (named pipe)"),
                 id="fifo-template"),
    pytest.param(Case(fifo("assets/css/more.css"), "assets/css/more.css", 1, "is a FIFO (named pipe)"),
                 id="fifo-asset"),
    pytest.param(Case(unix_socket(f"{GROUP}/05-socket.md"), f"{GROUP}/05-socket.md", 1, "is a socket, not a file"),
                 id="socket-stretch"),
    pytest.param(Case(put(STRETCH, stretch_md("Chin tuck", 30, body="1. Tuck.\n\n" + "x" * 1_100_000)), STRETCH, 1,
                      "a content file may be at most 1 MB"), id="stretch-over-a-megabyte"),
    pytest.param(Case(put(STRETCH, stretch_md("Chin tuck", 30, body=SLOW_MARKDOWN)), STRETCH, 5,
                      "took more than 2 s to convert (most likely 5000 unclosed parentheses '('); close them, "
                      "or write \\( for a parenthesis that is only a character"),
                 id="markdown-over-its-time-budget"),
    # YAML surprises and invisible characters (issue 13)
    pytest.param(Case(put(STRETCH, "---\ntitle: yes\nduration: 30\n---\n1. Tuck.\n"), STRETCH, 2,
                      "'title' is written yes, which YAML reads as true or false, not text; put it in quotes: "
                      "title: \"yes\""), id="title-yes"),
    pytest.param(Case(put(STRETCH, "---\ntitle: 2026-01-02\nduration: 30\n---\n1. Tuck.\n"), STRETCH, 2,
                      "which YAML reads as a date, not text; put it in quotes"), id="title-a-date"),
    pytest.param(Case(put(STRETCH, "---\ntitle: Chin tuck: slow\nduration: 30\n---\n1. Tuck.\n"), STRETCH, 2,
                      "a value with a colon in it (Neck: roll) must be put in quotes"), id="unquoted-colon"),
    pytest.param(Case(put(STRETCH, "---\ntitle: Chin tuck\n\tduration: 30\n---\n1. Tuck.\n"), STRETCH, 3,
                      "indent with spaces, not tabs"), id="tab-indent"),
    pytest.param(Case(put(STRETCH, "---\ntitle: Chin tuck\nhold: 1:30\nduration: 30\n---\n1. Tuck.\n"), STRETCH, 3,
                      "'1:30' reads as minutes:seconds in YAML; write the number of seconds"), id="sexagesimal"),
    pytest.param(Case(put(STRETCH, "---\ntitle: Chin\x0btuck\nduration: 30\n---\n1. Tuck.\n"), STRETCH, 2,
                      "holds an invisible vertical tab (U+000B) here", 12), id="vertical-tab"),
    pytest.param(Case(put(STRETCH, "---\ntitle: Chin tuck\nduration: 30\n---\n1. Tuck\x00 the chin.\n"), STRETCH, 5,
                      "holds an invisible NUL (U+0000) here", 8), id="nul-in-body"),
    pytest.param(Case(put(STRETCH, "---\ntitle: Chin tuck\nduration: " + "9" * 5000 + "\n---\n1. Tuck.\n"), STRETCH, 3,
                      "is not a valid number (far too long)"), id="huge-number"),
    pytest.param(Case(put(STRETCH, "---\ntitle: Chin tuck\nduration: 99999\n---\n1. Tuck.\n"), STRETCH, 3,
                      "'duration' is 99999 seconds, more than an hour"), id="too-many-seconds"),
    pytest.param(Case(put(STRETCH, "---\ntitle: Chin tuck\nduration: 30\nhold: " + "[" * 999 + "]" * 999
                          + "\n---\n1. Tuck.\n"), STRETCH, 2, "the front matter is nested hundreds of levels deep"),
                 id="deep-nesting"),
    pytest.param(Case(put(STRETCH, "---\ntitel: Chin tuck\nduration: 30\n---\n1. Tuck.\n"), STRETCH, 2,
                      "unknown key 'titel' in the front matter of this stretch; did you mean 'title'?"),
                 id="misspelt-required-key"),
]


def build_twice(project: Path, cli: Callable[..., Run], change: Callable[[Path], object]) -> tuple[Run, bool]:
    """Build, make the change, build again: the second run and whether dist/ stayed byte for byte."""
    assert cli(project).code == 0
    before = tree_hash(project / "dist")
    change(project)
    result = cli(project)
    return result, tree_hash(project / "dist") == before


def errors(result: Run) -> list[str]:
    return [line for line in result.err.splitlines() if ": error: " in line]


@pytest.mark.parametrize("case", CASES)
def test_each_mistake_gives_one_line_at_its_file_and_line_and_keeps_dist(tiny: Path, cli, case: Case) -> None:
    result, unchanged = build_twice(tiny, cli, case.change)
    assert result.code == 1
    assert unchanged
    assert "Traceback" not in result.err
    [message] = errors(result)
    line = case.at if isinstance(case.at, int) else _line_of(tiny / case.path, case.at)
    column = str(case.column) if case.column else r"\d+"
    assert re.match(rf"{re.escape(case.path)}:{line}:{column}: error: ", message), message
    assert case.says in message
    assert result.err.rstrip().endswith("Build failed: 1 problem; dist was left as it was.")


@pytest.mark.parametrize(("text", "said"), [
    ("Sit. " + "[" * 9000, "(most likely 9000 unclosed brackets '['); close them, or write \\[ for a bracket that is "
                           "only a character"),
    (SLOW_MARKDOWN, "(most likely 5000 unclosed parentheses '('); close them, or write \\( for a parenthesis"),
    ("[a](b) " * 3000 + "*" * 9000, "(most likely the 9000 '*' characters); check that each '*' is closed"),
    ("<" * 200 + "_" * 300, "(most likely the 300 '_' characters); check that each '_' is closed, or write \\_"),
])
def test_a_text_over_its_time_budget_is_told_the_likely_cause(text: str, said: str) -> None:
    """Whatever Python-Markdown is slow on (a version's quadratic search), the message names what the text holds
    most of: unclosed brackets or parentheses first, else the most frequent mark."""
    assert said in _too_slow(text)


def _line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if text in line)


def test_mistakes_in_site_page_and_stretch_are_all_reported_in_one_run(tiny: Path, cli) -> None:
    def change(root: Path) -> None:
        put(SITE, "title: Tiny Site\nbase_url: https://example.org/\nfooter: [unclosed\n")(root)
        edit(PAGE, "reviewed: 2026-01-02", "reviewd: 2026-01-02")(root)
        put(STRETCH, stretch_md("Chin tuck", -5))(root)

    result, unchanged = build_twice(tiny, cli, change)
    assert result.code == 1 and unchanged
    assert [m.split(": error: ")[0] for m in errors(result)] == [f"{PAGE}:4:1", f"{STRETCH}:3:1", f"{SITE}:3:9"]
    assert "Build failed: 3 problems" in result.err


def test_an_unexpected_crash_is_one_line_not_a_traceback_and_keeps_dist(tiny: Path, cli) -> None:
    result, unchanged = build_twice(tiny, cli, put("assets/css/style.css", b"body { color: r\xe9d; }\n"))
    assert result.code == 1 and unchanged
    assert "Traceback" not in result.err
    assert len(errors(result)) == 1


def test_links_that_stay_inside_the_project_are_fine(tiny: Path, cli) -> None:
    (tiny / f"{GROUP}/tuck.svg").symlink_to(tiny / f"{GROUP}/roll.svg")
    write(tiny / STRETCH, stretch_md("Chin tuck", 30, image="tuck.svg", alt="Chin tucked in."))
    assert cli(tiny).code == 0
    assert list((tiny / "dist/assets/media/neck-relief/sitting").glob("tuck.*.svg"))


def test_jinja_syntax_in_page_fields_and_site_yaml_shows_as_written(tiny: Path, cli) -> None:
    edit(PAGE, "description: Stretches for a stiff neck.", "description: \"{{ site.title }} {% raw %}\"")(tiny)
    edit(PAGE, "  1. Not medical advice.", "  1. Not medical advice {{ 6 * 7 }}.")(tiny)
    write(tiny / SITE, f"title: Tiny Site\nbase_url: https://example.org/\n{NUMBERS}"
          "footer: \"{% for x in y %}{{ x }}\"\n")
    result = cli(tiny)
    assert result.code == 0, result.err
    html = (tiny / "dist/index.html").read_text(encoding="utf-8")
    assert "Not medical advice {{ 6 * 7 }}." in html and "advice 42" not in html  # (an asset's hash may hold 42)
    assert 'content="{{ site.title }} {% raw %}"' in html
    assert "{% for x in y %}{{ x }}" in html


RAW_HTML = ("1. Tuck the chin.\n\n<script>alert('stretch')</script>\n\n"
            "2. Then <span onclick=\"alert('x')\">hold</span> it.\n\n"
            "<iframe src=\"https://tracker.example/\"></iframe>\n")


def test_raw_html_is_left_out_with_a_warning_at_its_file_and_line(tiny: Path, cli) -> None:
    write(tiny / STRETCH, stretch_md("Chin tuck", 30, body=RAW_HTML))  # the body starts on line 5
    result = cli(tiny)
    assert result.code == 0, result.err
    warnings = [line for line in result.err.splitlines() if ": warning: " in line]
    assert [w.split(": warning: ")[0] for w in warnings] == [f"{STRETCH}:7:1", f"{STRETCH}:9:9", f"{STRETCH}:11:1"]
    assert all("left out of the page; set 'allow_html: true' in site.yaml only if you trust it" in w
               for w in warnings)
    assert "raw HTML <script>" in warnings[0] and "<span>" in warnings[1] and "<iframe>" in warnings[2]
    assert "3 warnings (use --strict to make warnings errors)" in result.err
    html = (tiny / "dist/index.html").read_text(encoding="utf-8")
    assert "alert(" not in html and "onclick" not in html and "<iframe" not in html and "tracker" not in html
    assert "Tuck the chin." in html and "hold it." in html  # the words stay, only the markup goes


def test_allow_html_lets_trusted_html_through_without_warnings(tiny: Path, cli) -> None:
    write(tiny / SITE, "title: Tiny Site\nbase_url: https://example.org/\nallow_html: true\n" + NUMBERS)
    write(tiny / STRETCH, stretch_md("Chin tuck", 30, body=RAW_HTML))
    result = cli(tiny)
    assert result.code == 0, result.err
    assert "warning" not in result.err
    html = (tiny / "dist/index.html").read_text(encoding="utf-8")
    assert "<script>alert('stretch')</script>" in html and '<iframe src="https://tracker.example/">' in html


def test_strict_makes_warnings_errors_and_keeps_dist(tiny: Path, cli) -> None:
    assert cli(tiny).code == 0
    before = tree_hash(tiny / "dist")
    write(tiny / STRETCH, stretch_md("Chin tuck", 30, body=RAW_HTML))
    result = cli(tiny, "--strict")
    assert result.code == 1
    assert [e.split(": error: ")[0] for e in errors(result)] == [f"{STRETCH}:7:1", f"{STRETCH}:9:9",
                                                                 f"{STRETCH}:11:1"]
    assert all(e.endswith("(--strict)") for e in errors(result))
    assert tree_hash(tiny / "dist") == before


SCRIPT_LINKS = ["[a](javascript:alert(1))", "[b](JaVaScRiPt:alert(1))", "[c](&#106;avascript:alert(1))",
                "[d](java&#9;script:alert(1))", "[e](jav&#x0A;ascript:alert(1))", "[f]( javascript:alert(1))",
                "[g][ref]\n\n[ref]: javascript:alert(1)", "![h](javascript:alert(1))", "<javascript:alert(1)>",
                "[i](vbscript:msgbox(1))", "[j](data:text/html;base64,PHNjcmlwdD4=)",
                "[k](java\tscript:alert(1)//://)", "[l](&#x20;&#x6A;avascript&colon;alert(1))",
                "[m](javascript&#58;alert(1))"]


@pytest.mark.parametrize("allow_html", [False, True])
def test_script_links_in_markdown_are_never_live(tiny: Path, cli, allow_html: bool) -> None:
    if allow_html:
        write(tiny / SITE, "title: Tiny Site\nbase_url: https://example.org/\nallow_html: true\n" + NUMBERS)
    body = "\n\n".join(f"{n}. {link}" for n, link in enumerate(SCRIPT_LINKS, start=1))
    write(tiny / STRETCH, stretch_md("Chin tuck", 30, body=body + "\n\n[fine](https://example.org/ok)"))
    result = cli(tiny)
    assert result.code == 0, result.err
    page = _Targets()
    page.feed((tiny / "dist/index.html").read_text(encoding="utf-8"))
    # what a browser reads as the scheme: entities decoded, tabs and newlines dropped, leading spaces trimmed
    schemes = {re.sub(r"[\t\n\r]", "", t).lstrip("\x00 ").split(":")[0].lower() for t in page.targets if ":" in t}
    assert not schemes & {"javascript", "vbscript", "data"}
    assert "https://example.org/ok" in page.targets
    assert "javascript:" in result.err  # the editor is told a link was left out


class _Targets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.targets += [value for name, value in attrs if name in ("href", "src") and value]


def test_a_number_with_a_leading_zero_is_read_as_written(tiny: Path, cli) -> None:
    write(tiny / STRETCH, "---\ntitle: Chin tuck\nhold: 045\nreps: 3\nrest: 010\n---\n1. Tuck.\n")
    result = cli(tiny)
    assert result.code == 0, result.err
    html = (tiny / "dist/index.html").read_text(encoding="utf-8")
    assert "Hold 45 seconds, 3 times" in html  # not octal 37
    assert '"kind":"rest","stretch":"chin-tuck","seconds":10' in html  # not 8


LOOKALIKES = ["04-side-bend.MD", "05-neck-tilt.markdown", "06-shrug.md.txt", "07-roll.md ", "Notes.Md"]
SIDE_FILES = [".#02-chin-tuck.md", "._02-chin-tuck.md", "02-chin-tuck.md~", ".02-chin-tuck.md.swp",
              "#02-chin-tuck.md#", ".DS_Store", "02-chin-tuck.md.bak"]


def test_files_that_look_like_content_are_never_skipped_silently(tiny: Path, cli) -> None:
    for name in LOOKALIKES:
        write(tiny / GROUP / name, stretch_md("Lookalike", 30))
    write(tiny / "content/neck-relief/01-page-level.markdown", stretch_md("Misplaced", 30))
    result = cli(tiny)
    assert result.code == 0, result.err
    warned = [line for line in result.err.splitlines() if ": warning: " in line]
    assert len(warned) == len(LOOKALIKES) + 1
    assert all("looks like a content file but is not read" in w for w in warned)
    assert any(w.startswith(f"{GROUP}/04-side-bend.MD:1:1:") and "lower-case .md" in w for w in warned)
    strict = cli(tiny, "--strict")
    assert strict.code == 1 and len(errors(strict)) == len(LOOKALIKES) + 1


def test_editor_and_system_side_files_are_ignored_everywhere(tiny: Path, cli) -> None:
    for folder in (GROUP, "content/neck-relief", "content", "templates", "assets/css"):
        for name in SIDE_FILES:
            write(tiny / folder / name, "a side file an editor or the system left: <script>alert(1)</script>\n")
    result = cli(tiny, "--strict")
    assert result.code == 0, result.err
    assert result.err == ""
    assert not [p for p in (tiny / "dist").rglob("*") if "chin-tuck.md" in p.name or p.name == ".DS_Store"]


def test_names_in_any_script_are_ids_and_links(tiny: Path, cli) -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "98-étirement-été.md")  # as macOS writes it
    write(tiny / GROUP / decomposed, stretch_md("Étirement d'été", 30))
    write(tiny / GROUP / "99-растяжка.md", stretch_md("Растяжка", 30))
    result = cli(tiny)
    assert result.code == 0, result.err
    page = (tiny / "dist/index.html").read_text(encoding="utf-8")
    assert 'id="étirement-été"' in page and 'id="растяжка"' in page
    write(tiny / GROUP / "97-Étirement Été.md", stretch_md("Bad", 30))
    [message] = errors(cli(tiny))
    assert "lower-case words (letters of any script, digits) joined by hyphens, e.g. 97-étirement-été.md" in message


def test_control_characters_in_names_keys_and_values_are_shown_escaped(tiny: Path, cli) -> None:
    write(tiny / GROUP / "08-x\x1b[2J\x1b[31m.md", stretch_md("Forged", 30))
    write(tiny / STRETCH, "---\ntitle: Chin tuck\nduration: 30\n\"ho\x1b]0;pwned\x07ld\": 5\n---\n1. Tuck.\n")
    result = cli(tiny)
    assert result.code == 1
    assert "\x1b" not in result.err and "\x07" not in result.err
    assert "08-x\\x1b[2J\\x1b[31m.md" in result.err
    assert all(line.count(": error: ") <= 1 for line in result.err.splitlines())  # no forged second line
