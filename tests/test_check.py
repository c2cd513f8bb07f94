"""``build.py check``: content validated, the bundle built aside and every reference in it resolved."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from conftest import Run, add_page, stretch_md, tree_hash, write

STRETCH = "content/neck-relief/sitting/02-chin-tuck.md"


def line_of(path: Path, needle: str) -> int:
    """The line of ``path`` where ``needle`` first appears (1-based)."""
    text = path.read_text(encoding="utf-8")
    assert needle in text
    return text[: text.index(needle)].count("\n") + 1


def errors(result: Run) -> list[str]:
    return [line for line in result.err.splitlines() if ": error: " in line]


def test_the_shipped_site_checks_clean_and_publishes_nothing(shipped: Path, cli) -> None:
    result = cli(shipped, "check")
    assert result.code == 0, result.err
    found = re.search(r"Checked 1 page with 16 stretches: all (\d+) links, anchors and assets", result.out)
    assert found and int(found.group(1)) > 100  # pages, pictures, icons, anchors, structured data
    assert not (shipped / "dist").exists()


def test_check_leaves_an_existing_bundle_as_it_was(tiny: Path, cli) -> None:
    assert cli(tiny).code == 0
    before = tree_hash(tiny / "dist")
    write(tiny / STRETCH, stretch_md("Chin tuck, changed", 30))
    assert cli(tiny, "check").code == 0
    assert tree_hash(tiny / "dist") == before
    assert not [p for p in tiny.iterdir() if p.name.startswith(".dist.relief-") and p.is_dir()]


def test_a_link_that_skips_the_base_path_is_reported_at_its_page_and_line(tiny: Path, cli, tmp_path: Path) -> None:
    write(tiny / "content/site.yaml", "title: Tiny Site\nbase_url: https://example.org/sub/\n")
    write(tiny / STRETCH, stretch_md("Chin tuck", 30, body="1. Tuck.\n2. See [the page](/neck-relief/)."))
    result = cli(tiny, "check")
    assert result.code == 1
    line = line_of(_built(tiny, cli, tmp_path) / "index.html", 'href="/neck-relief/"')
    assert any(e.startswith(f"dist/index.html:{line}:") and "broken link '/neck-relief/'" in e
               and "outside the site's base path /sub/" in e for e in errors(result))
    assert "Check failed: 2 problems in the bundle of 1 page" in result.err  # index.html, neck-relief/index.html
    # at the domain root the link resolves, but it is not portable: from the file system it leads nowhere
    result = cli(tiny, "check", "--base-url", "https://example.org/")
    assert result.code == 1
    assert any(e.startswith(f"dist/index.html:{line}:") and "link '/neck-relief/' is written from the site's root"
               in e for e in errors(result))


def test_a_relative_link_to_another_page_passes(tiny: Path, cli) -> None:
    add_page(tiny, "hip-relief", title="Hip Relief")
    write(tiny / STRETCH, stretch_md("Chin tuck", 30, body="1. Tuck.\n2. See [hips](../hip-relief/index.html)."))
    write(tiny / "content/site.yaml", "title: Tiny Site\nbase_url: https://example.org/\nhome: hip-relief\n")
    assert cli(tiny, "check").code == 0


def test_a_missing_anchor_is_reported_and_existing_anchors_and_other_sites_are_not(tiny: Path, cli) -> None:
    write(tiny / STRETCH, stretch_md("Chin tuck", 30, body=(
        "1. Start with [the neck roll](#neck-roll), then [the shoulders](#shoulder-drop).\n"
        "2. Not [this one](#no-such-stretch).\n"
        "3. Read [more](https://other.example/missing) or [write](mailto:team@example.org).")))
    result = cli(tiny, "check")
    assert result.code == 1
    assert len(errors(result)) == 2, result.err
    assert all("broken link '#no-such-stretch'" in e and "has no element with id 'no-such-stretch'" in e
               for e in errors(result))


def test_a_missing_picture_and_page_in_markdown_are_reported(tiny: Path, cli) -> None:
    write(tiny / STRETCH, stretch_md("Chin tuck", 30, body="1. Tuck.\n\n![Chin](chin.png)\n\n[Next](../other/)"))
    result = cli(tiny, "check")
    assert result.code == 1
    messages = errors(result)
    assert any("broken image 'chin.png'" in e and "no file neck-relief/chin.png" in e for e in messages)
    assert any("broken link '../other/'" in e and "no file other/index.html" in e for e in messages)


def test_a_broken_url_in_the_stylesheet_is_reported_at_its_line(tiny: Path, cli) -> None:
    css = tiny / "assets/css/style.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.x {\n  background: url(../img/gone.png);\n}\n",
                   encoding="utf-8")
    line = line_of(css, "url(../img/gone.png)")
    result = cli(tiny, "check")
    assert result.code == 1
    [message] = errors(result)
    assert re.match(rf"dist/assets/css/style\.[0-9a-f]+\.css:{line}:\d+: error: broken stylesheet URL "
                    r"'\.\./img/gone\.png': there is no file assets/img/gone\.png", message)


def test_a_template_that_repeats_an_id_gives_a_duplicate_id(tiny: Path, cli) -> None:
    page = tiny / "templates/page.html"
    page.write_text(page.read_text().replace("</article>", '<p id="sitting">Again</p>\n</article>'))
    result = cli(tiny, "check")
    assert result.code == 1
    assert any("error: duplicate id 'sitting' (first on line" in e for e in errors(result))


def test_content_errors_are_reported_like_a_build_and_nothing_is_published(tiny: Path, cli) -> None:
    assert cli(tiny).code == 0
    before = tree_hash(tiny / "dist")
    write(tiny / STRETCH, "---\ntitle: Chin tuck\nduration: thirty\n---\n1. Tuck.\n")
    result = cli(tiny, "check")
    assert result.code == 1
    assert errors(result) == [f"{STRETCH}:3:1: error: 'duration' must be a whole number of seconds "
                              "greater than 0, e.g. 30"]
    assert "nothing was published" in result.err
    assert tree_hash(tiny / "dist") == before


def test_warnings_are_shown_and_fail_the_check_only_with_strict(tiny: Path, cli) -> None:
    write(tiny / STRETCH, stretch_md("Chin tuck", 30, body="1. Tuck.\n\n<iframe src='https://x.example'></iframe>"))
    relaxed = cli(tiny, "check")
    assert relaxed.code == 0, relaxed.err
    assert f"{STRETCH}:7:1: warning: raw HTML <iframe> left out of the page" in relaxed.err
    assert "1 warning (use --strict" in relaxed.err
    strict = cli(tiny, "check", "--strict")
    assert strict.code == 1
    assert f"{STRETCH}:7:1: error: raw HTML <iframe> left out of the page" in strict.err


def _built(project: Path, cli: Callable[..., Run], out: Path) -> Path:
    """A real build of ``project`` in ``out``, to read the lines the check talks about."""
    assert cli(project, "build", "--out", str(out / "bundle")).code == 0
    return out / "bundle"


def test_a_reference_that_climbs_out_of_the_bundle_by_percent_dots_is_reported(tmp_path: Path) -> None:
    from relief.commands.check import check_bundle

    bundle = write(tmp_path / "dist/index.html", '<!doctype html><title>x</title><a href="%2e%2e/secret.html">s</a>'
                   '<img src="%2E%2E/secret.html" alt="">').parent
    write(tmp_path / "secret.html", "beside the bundle, not in it")
    problems, checked = check_bundle(bundle, "https://example.org/relief/")
    assert checked == 2
    assert [(p.line, "leads outside the bundle" in p.message) for p in problems] == [(1, True), (1, True)]


def test_a_broken_link_preview_image_is_reported(tiny: Path, cli) -> None:
    meta = tiny / "templates/_meta.html"
    meta.write_text(meta.read_text(encoding="utf-8") + '<meta property="og:image" content="'
                    "{{ url('assets/no-such-picture.png', absolute=True) }}\">\n", encoding="utf-8")
    result = cli(tiny, "check")
    assert result.code == 1
    assert any("broken link preview 'https://example.org/assets/no-such-picture.png'" in e for e in errors(result))


def test_a_malformed_url_is_a_problem_line_not_a_traceback(tiny: Path, cli) -> None:
    write(tiny / STRETCH, stretch_md("Chin tuck", 30, body="1. See [x](/%00/y)."))
    meta = tiny / "templates/_meta.html"
    meta.write_text(meta.read_text(encoding="utf-8") + '<link rel="alternate" href="http://[::1/page">\n',
                    encoding="utf-8")
    result = cli(tiny, "check")
    assert result.code == 1 and "Traceback" not in result.err
    assert any("malformed link 'http://[::1/page'" in e for e in errors(result))
    assert any("broken link '/%00/y'" in e for e in errors(result))


def test_a_script_link_a_template_writes_is_reported(tiny: Path, cli) -> None:
    meta = tiny / "templates/_meta.html"
    meta.write_text(meta.read_text(encoding="utf-8") + '<link rel="alternate" href="java&#9;script:alert(1)">\n',
                    encoding="utf-8")
    result = cli(tiny, "check")
    assert result.code == 1
    assert any("live script link" in e and "'javascript:' links are not allowed" in e for e in errors(result))


def test_a_non_utf8_page_in_the_bundle_is_a_problem_line(tmp_path: Path) -> None:
    from relief.commands.check import check_bundle

    bundle = write(tmp_path / "dist/index.html", "<!doctype html><title>x</title>").parent
    (bundle / "old.html").write_bytes(b"<p>caf\xe9</p>")
    problems, _ = check_bundle(bundle, "https://example.org/")
    assert [(p.path.name, "is not UTF-8 text" in p.message) for p in problems] == [("old.html", True)]
