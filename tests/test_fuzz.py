"""Whatever a stretch file holds, the build either succeeds or fails with clean, placed errors.

Hypothesis writes arbitrary bytes, YAML-ish front matter and arbitrary YAML values into one
stretch file of a small site and builds it: the only exception allowed out is ``BuildFailed``,
its problems point inside the file, and a failed build leaves ``dist/`` as it was.
"""

from __future__ import annotations

import posixpath
import re
import string
from pathlib import Path

import pytest
import yaml
from conftest import tree_hash
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown.util import Registry
from markupsafe import escape

from relief.errors import BuildFailed, ContentError
from relief.load import frontmatter
from relief.load.markdown import Markup
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


INLINE_BITS = ["*", "**", "_", "__", "`", "``", "[a]", "(b)", "![c](d.png)", "!", "[", "]", "<e>", "</e>", "<",
               ">", "<https://x.org>", "<a@b.org>", "&amp;", "&#42;", "&", "\\", "\\*", "  \n", "\t\n", "\t", "  ",
               "1. ", "- ", "> ", "    ", "\n", "\n\n", "word", "[r]: /x", "[r]", "[r][]", "![r]", "\x02", "\x03"]


@FUZZ
@given(body=markdown | st.lists(st.sampled_from(INLINE_BITS), max_size=30).map("".join))
def test_chosen_inline_patterns_convert_as_python_markdown_s_own_registry(body: str) -> None:
    """relief.load.markdown hands Python-Markdown's inline processor, for each text, the patterns that can match
    in it, as a tuple in the registry's order, and its block parser its processors as a tuple: the same HTML and
    warnings as Python-Markdown's own registries give."""
    chosen = Markup()
    inline = chosen._md.treeprocessors["inline"]
    assert isinstance(inline.inlinePatterns, tuple) and inline.inlinePatterns == tuple(chosen._md.inlinePatterns)
    own = Markup()
    own._inline.frozen = False  # Python-Markdown's own registry, every pattern on every text
    own._md.treeprocessors["inline"].inlinePatterns = own._md.inlinePatterns
    blocks = own._md.parser.blockprocessors
    assert isinstance(blocks, tuple)  # its block processors, in order, as a tuple: back to a registry
    own._md.parser.blockprocessors = Registry()
    for index, processor in enumerate(blocks):
        own._md.parser.blockprocessors.register(processor, f"block{index}", len(blocks) - index)
    assert chosen.render(body, Path("x.md")) == own.render(body, Path("x.md"))
    assert isinstance(inline.inlinePatterns, tuple) and set(inline.inlinePatterns) <= set(chosen._md.inlinePatterns)


def test_a_plain_text_is_converted_with_only_the_patterns_it_can_need() -> None:
    """Words and ``**`` alone: no pattern for backticks, links, pictures, HTML or entities is tried on them."""
    markup = Markup()
    inline = markup._md.treeprocessors["inline"]
    assert markup.render("Sit **tall** and breathe out.", Path("x.md"))[0] == \
        "<p>Sit <strong>tall</strong> and breathe out.</p>"
    registry = markup._md.inlinePatterns
    assert inline.inlinePatterns == (registry["em_strong"],)
    assert markup.render("Press [here](https://x.org)!", Path("x.md"))[0] == \
        '<p>Press <a href="https://x.org">here</a>!</p>'
    assert registry["link"] in inline.inlinePatterns and registry["backtick"] not in inline.inlinePatterns


texts_without = st.text(alphabet=string.printable + "é\u00a0", max_size=60)


@FUZZ
@given(text=st.lists(st.sampled_from(INLINE_BITS) | texts_without, max_size=12).map("".join))
def test_no_inline_pattern_matches_a_text_without_what_it_needs(text: str) -> None:
    """What the choice rests on, checked against the regular expressions of the installed Python-Markdown: each
    pattern that needs a character finds nothing in a text from which that character is taken out."""
    markup = Markup()
    needs = markup._inline.needs
    assert sum(1 for n in needs if n != ("",)) >= 10  # every pattern of Python-Markdown 3.x is known
    for pattern, texts in zip(markup._inline.patterns, needs, strict=True):
        without = text
        while texts != ("",) and any(needed in without for needed in texts):  # " \t " loses its tab: "  "
            for needed in texts:
                without = without.replace(needed, "")
        if texts != ("",):
            assert pattern.compiled_re.search(without) is None, (pattern, without)


bundle_paths = st.lists(st.sampled_from(["a", "b", "ab", "es", "index.html", ".", "..", "", "assets", "x.css"]),
                        max_size=5).map("/".join)


@FUZZ
@given(target=bundle_paths.filter(bool), folder=bundle_paths)
def test_relative_urls_are_what_posixpath_relpath_gives(target: str, folder: str) -> None:
    """Every link inside the bundle is made relative by ``urls._relative`` from the parts of the two paths
    (``relpath`` asks for the working directory on each call): the same answer, whatever the paths."""
    assert _relative(target, folder or ".") == posixpath.relpath(target, folder or ".")
