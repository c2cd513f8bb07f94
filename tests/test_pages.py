"""A site of several pages: page drafts, the texts ``new`` writes to be replaced, and what a page may set
for itself (its call to action, the site name in its header) over the site's settings."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import add_page, page_md, stretch_md, tree_hash, write
from lxml import html

SITE = "content/site.yaml"
CTA = ("cta:\n  title: Want to feel better faster?\n  text: Book a session.\n  label: Book now\n"
       "  url: https://example.org/book/\n")


def draft(page: Path) -> None:
    text = (page / "_page.md").read_text(encoding="utf-8")
    write(page / "_page.md", text.replace("---\ntitle:", "---\ndraft: true\ntitle:", 1))


def tree(path: Path) -> html.HtmlElement:
    return html.parse(str(path)).getroot()


def test_a_draft_page_is_left_out_of_the_build_its_links_and_the_sitemap(tiny: Path, cli) -> None:
    draft(add_page(tiny, "shoulder-relief", title="Shoulder Relief"))
    add_page(tiny, "hip-relief", title="Hip Relief")
    assert cli(tiny, "build", "--strict").code == 0
    dist = tiny / "dist"
    assert not (dist / "shoulder-relief").exists()
    for file in dist.rglob("*.html"):
        assert "Shoulder Relief" not in file.read_text(encoding="utf-8"), file
    assert "shoulder-relief" not in (dist / "sitemap.xml").read_text()
    assert cli(tiny, "build", "--drafts").code == 0
    assert (dist / "shoulder-relief/index.html").is_file()


def test_home_naming_a_draft_page_is_an_error_at_site_yaml(tiny: Path, cli) -> None:
    draft(tiny / "content/neck-relief")
    add_page(tiny, "hip-relief", title="Hip Relief")
    write(tiny / SITE, "title: Tiny Site\nbase_url: https://example.org/\nhome: neck-relief\n")
    result = cli(tiny, "build")
    assert result.code == 1
    assert re.fullmatch(r"content/site\.yaml:1:1: error: 'home' names page 'neck-relief', which is a draft .*\n"
                        r"Build failed: .*\n", result.err)


def test_a_site_of_drafts_only_has_nothing_to_publish(tiny: Path, cli) -> None:
    draft(tiny / "content/neck-relief")
    result = cli(tiny, "build")
    assert result.code == 1 and "has no pages to publish" in result.err and "draft: false" in result.err


def test_new_page_is_a_draft_and_its_texts_to_replace_stop_its_publication(tiny: Path, cli) -> None:
    assert cli(tiny, "new", "back-care").code == 0
    (tiny / "dist").mkdir()
    write(tiny / "dist/index.html", "the last good build")
    before = tree_hash(tiny / "dist")
    page_file = tiny / "content/back-care/_page.md"
    write(page_file, page_file.read_text(encoding="utf-8").replace("\ndraft: true ", "\ndraft: false"))

    result = cli(tiny, "build")

    assert result.code == 1
    assert tree_hash(tiny / "dist") == before
    lines = result.err.splitlines()[:-1]
    source = page_file.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5  # description, disclaimer, instructions, get_help, introduction
    for line in lines:
        found = re.fullmatch(r"content/back-care/_page\.md:(\d+):(\d+): error: still holds the text 'relief new' "
                             r"wrote to be replaced \(\"(.+)\"\); write the real text, or keep the page a draft "
                             r"with 'draft: true'", line)
        assert found, line
        number, column, text = int(found[1]), int(found[2]), found[3]
        assert source[number - 1][column - 1:].startswith(text)  # the place is the text's own


def test_a_published_stretch_with_the_step_new_wrote_is_an_error_and_a_draft_one_is_not(tiny: Path, cli) -> None:
    assert cli(tiny, "new", "neck-relief/sitting/neck-tilt").code == 0
    stretch = tiny / "content/neck-relief/sitting/04-neck-tilt.md"
    assert cli(tiny, "build", "--strict").code == 0  # a draft: the placeholder waits
    text = stretch.read_text(encoding="utf-8")
    write(stretch, text.replace("\ndraft: true ", "\ndraft: false"))
    result = cli(tiny, "build")
    assert result.code == 1
    [line] = result.err.splitlines()[:-1]
    number = text.splitlines().index("1. Write the first step here: where to start and how to move.") + 1
    assert line.startswith(f"content/neck-relief/sitting/04-neck-tilt.md:{number}:4: error: still holds the text")
    assert "keep the stretch a draft" in line


def test_a_stretch_of_a_draft_page_may_hold_placeholders(tiny: Path, cli) -> None:
    page = add_page(tiny, "hip-relief", title="Hip Relief")
    draft(page)
    write(page / "sitting/04-new.md", stretch_md("New", 20, body="1. Write the first step here: where to start "
                                                "and how to move."))
    assert cli(tiny, "build").code == 0


def test_the_placeholder_in_a_comment_line_is_not_content(tiny: Path, cli) -> None:
    write(tiny / "content/neck-relief/sitting/04-tilt.md",
          "---\ntitle: Tilt\nhold: 5\n# alt: Describe the position the picture shows.   # help\n---\n1. Tilt.\n")
    assert cli(tiny, "build", "--strict").code == 0


def test_a_page_overrides_the_call_to_action_field_by_field_and_the_site_name(tiny: Path, cli) -> None:
    write(tiny / SITE, f"title: Tiny Clinic\nbase_url: https://example.org/\nhome: neck-relief\n{CTA}")
    page = add_page(tiny, "sports-relief", title="Sports Relief")
    text = page_md("Sports Relief").replace("---\ntitle:", "---\nsite_title: Tiny Sports Clinic\ncta:\n"
                                            "  label: Book a sports session\n  url: https://example.org/sports/\n"
                                            "title:", 1)
    write(page / "_page.md", text)
    assert cli(tiny, "build", "--strict").code == 0

    own = tree(tiny / "dist/sports-relief/index.html")
    assert own.xpath("string(//a[@class='site-name'])") == "Tiny Sports Clinic"
    assert own.xpath("string(//title)") == "Sports Relief · Tiny Sports Clinic"
    assert own.xpath("//meta[@property='og:site_name']/@content") == ["Tiny Sports Clinic"]
    [button] = own.xpath("//section[@class='cta']//a")
    assert (button.text, button.get("href")) == ("Book a sports session", "https://example.org/sports/")
    assert own.xpath("string(//section[@class='cta']/h2)") == "Want to feel better faster?"  # the site's
    assert "A service from Tiny Sports Clinic" in own.xpath("string(//section[@class='cta'])")
    assert '"publisher":{"@type":"Organization","name":"Tiny Sports Clinic"}' in \
        own.xpath("string(//script[@type='application/ld+json'])")

    home = tree(tiny / "dist/index.html")
    assert home.xpath("string(//a[@class='site-name'])") == "Tiny Clinic"
    assert home.xpath("//section[@class='cta']//a/@href") == ["https://example.org/book/"]


def test_a_page_cta_without_a_site_cta_must_be_whole(tiny: Path, cli) -> None:
    page = tiny / "content/neck-relief/_page.md"
    write(page, page_md().replace("---\ntitle:", "---\ncta:\n  label: Book\ntitle:", 1))
    result = cli(tiny, "build")
    assert result.code == 1
    assert result.err.startswith("content/neck-relief/_page.md:2:1: error: the page's 'cta' gives no title or text "
                                 "or url and site.yaml has no cta to take it from; add 'title:', 'text:', 'url:'")


def test_a_site_of_one_page_has_no_navigation(tiny: Path, cli) -> None:
    assert cli(tiny, "build").code == 0
    assert not tree(tiny / "dist/index.html").xpath("//nav[@class='site-nav']")
    assert not tree(tiny / "dist/index.html").xpath("//section[@class='more-pages']")
