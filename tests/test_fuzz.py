"""Whatever a stretch file holds, the build either succeeds or fails with clean, placed errors.

Hypothesis writes arbitrary bytes, YAML-ish front matter and arbitrary YAML values into one
stretch file of a small site and builds it: the only exception allowed out is ``BuildFailed``,
its problems point inside the file, and a failed build leaves ``dist/`` as it was.
"""

from __future__ import annotations

import posixpath
import re
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import yaml
from conftest import SLOW_MARKDOWN, tree_hash
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown.core import Markdown
from markdown.util import Registry
from markupsafe import escape

from relief.errors import BuildFailed, ContentError
from relief.load import frontmatter
from relief.load.markdown import Markup
from relief.load.parse import parse, parse_all
from relief.load.schema import STRETCH as STRETCH_FIELDS
from relief.pipeline import Options, build
from relief.render.urls import _relative

NO_CACHE = Options(cache=False)  # every example parsed afresh; no cache folder written into the site

STRETCH = "content/neck-relief/sitting/02-chin-tuck.md"
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

YAML_BITS = [*STRETCH_FIELDS, ": ", ":", "- ", "-", "[", "]", "{", "}", ",", "'", '"', "&a ", "*a", "!!str ",
             "!!python/object ", "|", ">-", "#", "?", "%", "@", "`", "\t", "\n", "\r\n", "  ", "---", "...",
             "null", "true", "no", "30", "-5", "0x1F", "1e999", "2026-02-30", "<<: ", "\\", "\ufeff", "é", "\x00"]
yaml_ish = st.lists(st.one_of(st.sampled_from(YAML_BITS), st.text(string.printable, max_size=4)),
                    max_size=40).map("".join)
values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20) | st.dates(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6)
front_matter = st.dictionaries(st.sampled_from(list(STRETCH_FIELDS)) | st.text(max_size=8), values, max_size=6)
# printable text; a vertical tab or form feed is an error of its own (tests/test_bad_input.py)
markdown = st.text(alphabet=string.printable.replace("\x0b", "").replace("\x0c", "") + "é—\u2018\u2019\u2028",
                   max_size=120)
# YAML 1.1 reads these as line breaks, so not even PyYAML's own dump and load keeps them
# (and control characters are an error of their own: tests/test_bad_input.py)
titles = st.text(st.characters(blacklist_characters="\x85\u2028\u2029", blacklist_categories=("Cc", "Cs")),
                 min_size=1, max_size=40).filter(str.strip)


@pytest.fixture
def site(tiny: Path) -> Path:
    build(tiny, tiny / "dist", NO_CACHE)
    return tiny


def build_must_be_clean(project: Path, data: bytes) -> None:
    """Build with ``data`` as the stretch file: success, or ``BuildFailed`` placed in the file."""
    before = tree_hash(project / "dist")
    (project / STRETCH).write_bytes(data)
    try:
        build(project, project / "dist", NO_CACHE)
    except BuildFailed as failed:
        assert failed.errors
        lines = len(re.split(rb"\r\n|\r|\n", data))
        for problem in failed.errors:
            assert problem.line >= 1 and problem.column >= 1
            if problem.path == project / STRETCH:
                assert problem.line <= lines, problem
        assert tree_hash(project / "dist") == before


@FUZZ
@given(data=st.binary(max_size=300) | st.binary(max_size=300).map(lambda b: b"---\n" + b))
def test_arbitrary_bytes_build_or_fail_cleanly(site: Path, data: bytes) -> None:
    build_must_be_clean(site, data)


@FUZZ
@given(front=yaml_ish, body=markdown)
def test_yaml_ish_front_matter_builds_or_fails_cleanly(site: Path, front: str, body: str) -> None:
    build_must_be_clean(site, f"---\n{front}\n---\n{body}\n".encode(errors="surrogatepass"))


@FUZZ
@given(fields=front_matter, body=markdown)
def test_arbitrary_yaml_values_build_or_fail_cleanly(site: Path, fields: dict[str, object], body: str) -> None:
    front = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False)
    build_must_be_clean(site, f"---\n{front}---\n{body}\n".encode())


@settings(FUZZ, max_examples=60)  # each example is a whole successful build: fewer, or it gets slow
@given(title=titles, duration=st.integers(1, 3600), body=markdown)
def test_any_title_and_body_of_a_well_formed_stretch_build_and_show_escaped(site: Path, title: str, duration: int,
                                                                          body: str) -> None:
    front = yaml.safe_dump({"title": title, "duration": duration}, allow_unicode=True)
    (site / STRETCH).write_text(f"---\n{front}---\n1. {body}\n", encoding="utf-8")
    build(site, site / "dist", NO_CACHE)
    assert str(escape(title.strip())) in (site / "dist/index.html").read_bytes().decode()


def _parsed_both_ways(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    """``parse_yaml`` of ``text`` with its one quick walk, and with PyYAML's constructor and ``_locate`` alone:
    (repr of data, places, plain scalars) or the one-line error, each way."""
    def outcome() -> object:
        try:
            doc = frontmatter.parse_yaml(Path("x.md"), text, 2)
        except ContentError as error:
            return str(error)
        return repr(doc.data), doc.where, doc.raw  # repr: NaN is not equal to itself

    quick = outcome()
    with monkeypatch.context() as patch:
        patch.setattr(frontmatter, "_walk", lambda *args: None)
        full = outcome()
    return quick, full


@FUZZ
@given(front=yaml_ish | front_matter.map(lambda fields: yaml.safe_dump(fields, allow_unicode=True, sort_keys=False)))
def test_the_quick_walk_of_front_matter_gives_what_pyyaml_and_locate_give(front: str,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    quick, full = _parsed_both_ways(front, monkeypatch)
    assert quick == full


@pytest.mark.parametrize("front", [
    "title: Neck roll\nhold: 045\nreps: 1_0\nsides: yes\nrest: ~\nreviewed: 2026-01-31\nratio: 1.5e3",
    "positions:\n  - name: Arms up\n    hold: 20\n  - {name: 'Arms down', hold: 0x1F}\n",
    "base: &b {hold: 5}\nother: *b\n",  # an alias: left to the full walk
    "<<: {hold: 5}\ntitle: Merged\n",  # a merge key
    "1: one\n01: again\n",  # one key written two ways
    "title: A\ntitle: B\n",  # a duplicate key: the full walk names it
    "hold: 1:30\n", "reviewed: 2026-02-30\n", "? [a, b]\n: c\n", "tags: !!set {a, b}\n", "- a\n- b\n", "just text",
    "deep: " + "[" * 30 + "]" * 30,
])
def test_the_quick_walk_agrees_on_every_kind_of_front_matter(front: str, monkeypatch: pytest.MonkeyPatch) -> None:
    quick, full = _parsed_both_ways(front, monkeypatch)
    assert quick == full


scalars = st.one_of(st.sampled_from(["yes", "No", "on", "null", "~", "", "1", "045", "0x1F", "1_000", "1e3", ".5",
                                     ".inf", "-.NaN", "2026-02-30", "2026-01-01 10:00", "1:30", "=", "<<", "true"]),
                    st.text(string.printable, max_size=8))


@FUZZ
@given(values=st.lists(st.tuples(scalars, st.booleans(), st.booleans()), max_size=8))
def test_a_scalar_s_tag_is_pyyaml_s_own_whichever_came_first(values: list[tuple[str, bool, bool]]) -> None:
    """The front matter loader keeps each plain scalar's tag by its text: whatever came before, each is the tag
    PyYAML's own resolver gives that text."""
    loader = frontmatter._Loader("")
    for value, plain, quoted in values:
        assert loader.resolve(yaml.ScalarNode, value, (plain, quoted)) == \
            yaml.resolver.Resolver.resolve(loader, yaml.ScalarNode, value, (plain, quoted))
        assert (value, (plain, quoted)) in frontmatter._TAGS or len(frontmatter._TAGS) == 1  # kept (or just cleared)
    loader.dispose()


def test_a_stretch_s_front_matter_takes_the_quick_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    def unused(*args: object) -> None:
        raise AssertionError("PyYAML's constructor ran")

    monkeypatch.setattr(frontmatter._Loader, "construct_document", unused)
    doc = frontmatter.parse_yaml(Path("x.md"), "title: Neck roll\nhold: 30\npositions:\n  - name: Up\n    hold: 5\n", 2)
    assert doc.data == {"title": "Neck roll", "hold": 30, "positions": [{"name": "Up", "hold": 5}]}
    assert doc.at("positions", 0, "hold") == (6, 5) and doc.raw[("hold",)] == "30"


MARKDOWN_BITS = ["*", "**", "_", "__", "`", "``", "[a]", "(b)", "![c](d.png)", "!", "[", "]", "<e>", "</e>", "<",
                 ">", "<https://x.org>", "<a@b.org>", "&amp;", "&#42;", "&", "\\", "\\*", "  \n", "\t\n", "\t", "  ",
                 "1. ", "- ", "* ", "+ ", "> ", "> > ", "    ", "\n", "\n\n", "\r", "word", "[r]: /x", "[r]:", "[r]",
                 "[r][]", "![r]", "# ", "#", "## x ##", "\n===", "\n---", "=", "-", "---", "- - -", "***", "_ _ _",
                 "-\t-\t-", "\x02", "\x03"]


def registries(markup: Markup) -> Markup:
    """``markup`` converting with Python-Markdown's own registries: every pattern and processor on every text."""
    markup._chosen = False
    del markup._md.is_block_level  # Python-Markdown's own, of its list of tags
    markup._md.treeprocessors["inline"].inlinePatterns = markup._md.inlinePatterns
    markup._md.preprocessors = markup._md.preprocessors.registry  # every step of a conversion, as registered
    markup._md.treeprocessors = markup._md.treeprocessors.registry
    blocks = markup._md.parser.blockprocessors = Registry()
    for index, processor in enumerate(markup._blocks.items):
        blocks.register(processor, f"block{index}", len(markup._blocks.items) - index)
    return markup


@FUZZ
@given(body=markdown | st.lists(st.sampled_from(MARKDOWN_BITS), max_size=30).map("".join))
# where the source holds less than the text Python-Markdown looks at: a quote's or a list item's line without its
# '>' or indent, tabs turned into spaces, the markers it deletes
@example(body="> Sit\n> ---\n")
@example(body="- Sit\n\n    Tall\n    ===\n")
@example(body="[r]:/x\n\n[a][r]\n")
@example(body="--\t-\n")
@example(body="- Sit\n\n\tTall\n\t===\n")
@example(body="Sit\t\nTall\n")
@example(body="Sit \x02 \nTall\n")
@example(body="-\x02-\x02-\n")
# the steps of a conversion left out of one: raw HTML blocks (which also end '&#169' with ';'), escapes
@example(body="&#169 and &#xA9 and &amp x\n")
@example(body="Sit \\*tall\\* [a\\]b](x\\_y)\n")
@example(body="<div>\nSit\n</div>\n\n&copy;\n")
def test_chosen_patterns_and_processors_convert_as_python_markdown_s_own_registries(body: str) -> None:
    """relief.load.markdown hands Python-Markdown's inline processor and block parser, for each text, only the
    patterns and processors that can act on it, as tuples in the registries' order: the same HTML and warnings
    as Python-Markdown's own registries give."""
    chosen = Markup()
    inline, parser = chosen._md.treeprocessors["inline"], chosen._md.parser
    result = chosen.render(body, Path("x.md"))
    assert result == registries(Markup()).render(body, Path("x.md"))
    assert isinstance(inline.inlinePatterns, tuple) and set(inline.inlinePatterns) <= set(chosen._md.inlinePatterns)
    assert isinstance(parser.blockprocessors, tuple) and set(parser.blockprocessors) <= set(chosen._blocks.items)
    for steps, choice in zip((chosen._md.preprocessors, chosen._md.treeprocessors), chosen._steps, strict=True):
        assert set(steps) <= set(choice.items) and steps["normalize_whitespace" if steps is chosen._md.preprocessors
                                                           else "inline"] in steps


bodies = markdown | st.lists(st.sampled_from(MARKDOWN_BITS), max_size=30).map("".join)
well_formed = st.tuples(titles, bodies).map(
    lambda tb: ("---\n" + yaml.safe_dump({"title": tb[0], "duration": 30}, allow_unicode=True) + "---\n" + tb[1]))
content_files = st.lists(st.tuples(
    st.sampled_from(["stretch", "page", "translation"]),
    st.binary(max_size=200) | st.tuples(yaml_ish, bodies).map(lambda fb: f"---\n{fb[0]}\n---\n{fb[1]}".encode())
    | well_formed.map(str.encode)), max_size=6)


@FUZZ
@given(files=content_files)
def test_files_parsed_step_by_step_get_the_records_each_gets_alone(files: list[tuple[str, bytes]]) -> None:
    """A worker parses its chunk of files one step at a time (``parse_all``: every front matter, then every
    conversion, ...): each file's record is the one it gets parsed alone, whatever the others hold."""
    jobs = [(kind, Path(f"content/p/g/{number:02}.md"), data) for number, (kind, data) in enumerate(files)]
    assert parse_all(jobs, Markup()) == [parse(kind, path, data, Markup()) for kind, path, data in jobs]
    assert parse_all(jobs, Markup(allow_html=True), as_json=False) == \
        [parse(kind, path, data, Markup(allow_html=True), as_json=False) for kind, path, data in jobs]


def test_the_shipped_files_parsed_together_get_their_own_records_and_a_slow_one_stops_only_itself(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The site's own pages, translations and stretches in one chunk, a text over its time budget among them: the
    slow file's record holds its error and no HTML, and every other file (before and after it) its own record."""
    content = Path(__file__).resolve().parent.parent / "content"
    files = sorted(content.rglob("*.md"))
    jobs = [("translation" if path.name.startswith("_page.") and path.suffixes != [".md"] else
             "page" if path.name == "_page.md" else "stretch", path, path.read_bytes()) for path in files]
    slow = ("stretch", content / "slow.md", f"---\ntitle: Slow\nduration: 30\n---\nSit.\n\n{SLOW_MARKDOWN}".encode())
    jobs.insert(len(jobs) // 2, slow)
    monkeypatch.setattr("relief.load.markdown.BUDGET_SECONDS", 0.05)
    together = parse_all(jobs, Markup(), as_json=False)
    assert together == [parse(kind, path, data, Markup(), as_json=False) for kind, path, data in jobs]
    records = dict(zip((path for _, path, _ in jobs), together, strict=True))
    assert records[slow[1]]["html"] == {} and "took more than" in records[slow[1]]["problems"][-1][3]
    assert all(record["html"]["body"] and not record["problems"] for path, record in records.items()
               if path != slow[1]), "a shipped file has a problem, or lost its HTML next to the slow one"


def test_a_chunk_is_parsed_one_step_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every front matter is read before any Markdown is converted, and every text converted before any is
    sanitised: each step's code stays warm in the processor's caches (the speed itself is ``bench/``'s)."""
    steps: list[str] = []

    def noting(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def noted(*args: Any) -> Any:
            steps.append(name)
            return function(*args)
        return noted

    monkeypatch.setattr("relief.load.parse.parse_yaml", noting("parse_yaml", frontmatter.parse_yaml))
    monkeypatch.setattr(Markup, "convert", noting("convert", Markup.convert))
    monkeypatch.setattr(Markup, "finish", noting("finish", Markup.finish))
    jobs = [("stretch", Path(f"content/p/g/{number}.md"), f"---\ntitle: S{number}\nduration: 30\n---\nSit.\n".encode())
            for number in range(3)]
    records = parse_all(jobs, Markup(), as_json=False)
    assert [record["html"]["body"] for record in records] == ["<p>Sit.</p>"] * 3
    assert steps == ["parse_yaml"] * 3 + ["convert"] * 3 + ["finish"] * 3


def test_a_plain_text_is_converted_with_only_the_patterns_and_processors_it_can_need() -> None:
    """Words and ``**`` alone: no pattern for backticks, links, pictures, HTML or entities is tried on them, and
    no processor for headings, quotes, rules or link definitions."""
    markup = Markup()
    inline, parser = markup._md.treeprocessors["inline"], markup._md.parser
    assert markup.render("Sit **tall** and breathe out.", Path("x.md"))[0] == \
        "<p>Sit <strong>tall</strong> and breathe out.</p>"
    patterns = markup._md.inlinePatterns
    assert inline.inlinePatterns == (patterns["em_strong"],)
    assert [type(p).__name__ for p in parser.blockprocessors] == [
        "EmptyBlockProcessor", "ListIndentProcessor", "CodeBlockProcessor", "SaneOListProcessor",
        "SaneUListProcessor", "ParagraphProcessor"]
    assert markup.render("## Sit\n\nPress [here](https://x.org)!\n\n***", Path("x.md"))[0] == \
        '<h2>Sit</h2>\n<p>Press <a href="https://x.org">here</a>!</p>\n<hr>'
    assert patterns["link"] in inline.inlinePatterns and patterns["backtick"] not in inline.inlinePatterns
    assert {"HashHeaderProcessor", "HRProcessor"} <= {type(p).__name__ for p in parser.blockprocessors}
    # of the steps, neither raw HTML blocks nor escapes are looked for where there is no '<', '&' or backslash
    md = markup._md
    assert list(md.preprocessors) == [md.preprocessors["normalize_whitespace"]]
    assert list(md.treeprocessors) == [md.treeprocessors[name] for name in ("inline", "prettify", "unsafe_links")]
    assert markup.render("Sit \\*tall\\* &amp; <b>breathe</b>", Path("x.md"))[0] == \
        "<p>Sit *tall* &amp; breathe</p>"
    assert len(list(md.preprocessors)) == 2 and md.treeprocessors["unescape"] in list(md.treeprocessors)
    for tag in ["p", "DIV", "hr/", "li", "span", "em", "", "details", "custom-tag", None, 3]:  # block-level, by a set
        assert markup._md.is_block_level(tag) is Markdown.is_block_level(markup._md, tag)


texts_without = st.text(alphabet=string.printable + "é\u00a0", max_size=60)


def without(text: str, needs: tuple[str | re.Pattern[str], ...]) -> str | None:
    """``text`` with every string of ``needs`` taken out (None if an expression of them still finds something)."""
    strings = [need for need in needs if isinstance(need, str)]
    while any(need in text for need in strings):  # " \t " loses its tab: "  "
        for need in strings:
            text = text.replace(need, "")
    if any(not isinstance(need, str) and need.search(text) for need in needs):
        return None
    return text


@FUZZ
@given(text=st.lists(st.sampled_from(MARKDOWN_BITS) | texts_without, max_size=12).map("".join))
def test_nothing_left_out_acts_on_a_text_without_what_it_needs(text: str) -> None:
    """What the choice rests on, checked against the installed Python-Markdown: each inline pattern or block
    processor that needs something makes nothing of a text without it (an inline pattern finds nothing or makes
    no element of it; a block processor's test is false, or it hands the block back)."""
    markup = Markup()
    assert sum(1 for needs in markup._inline.needs if needs) >= 10  # every inline pattern of 3.x is known
    assert sum(1 for needs in markup._blocks.needs if needs) == 5
    assert [sum(1 for needs in choice.needs if needs) for choice in markup._steps] == [1, 1]
    markup._md.reset()  # no link definitions: a reference link finds none
    for pattern, needs in zip(markup._inline.items, markup._inline.needs, strict=True):
        rest = without(text, needs)
        if needs and rest is not None:
            for found in pattern.compiled_re.finditer(rest):  # it finds nothing, or makes nothing of what it finds
                assert pattern.handleMatch(found, rest)[0] is None, (pattern, rest)
    for processor, needs in zip(markup._blocks.items, markup._blocks.needs, strict=True):
        rest = without(text.replace("\r", "\n"), needs)
        if needs and rest is not None:
            blocks = [rest]
            assert not processor.test(ElementTree.Element("div"), rest) or processor.run(
                ElementTree.Element("div"), blocks) is False, (processor, rest)
            assert blocks == [rest]
    for choice in markup._steps:  # a step of the conversion leaves the lines (or the tree) as they were
        for step, needs in zip(choice.items, choice.needs, strict=True):
            rest = without(text.replace("\r", "\n"), needs)
            if needs and rest is not None and hasattr(step, "unescape"):
                assert step.unescape(rest) == rest, (step, rest)
            elif needs and rest is not None:
                assert step.run(rest.split("\n")) == rest.split("\n"), (step, rest)


bundle_paths = st.lists(st.sampled_from(["a", "b", "ab", "es", "index.html", ".", "..", "", "assets", "x.css"]),
                        max_size=5).map("/".join)


@FUZZ
@given(target=bundle_paths.filter(bool), folder=bundle_paths)
def test_relative_urls_are_what_posixpath_relpath_gives(target: str, folder: str) -> None:
    """Every link inside the bundle is made relative by ``urls._relative`` from the parts of the two paths
    (``relpath`` asks for the working directory on each call): the same answer, whatever the paths."""
    assert _relative(target, folder or ".") == posixpath.relpath(target, folder or ".")
