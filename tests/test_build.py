"""End-to-end builds of the shipped site and of fixture sites, through the command line."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from conftest import ROOT, add_page, tree_hash, write

SEED = Path(__file__).parent / "data" / "middle-back-relief.txt"


class Text(HTMLParser):
    """The visible text of a page, whitespace collapsed, and its elements."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def parse(path: Path) -> Text:
    parser = Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def seed_how_sentences() -> list[str]:
    sentences = []
    for line in SEED.read_text(encoding="utf-8").splitlines():
        if line.startswith("HOW:"):
            text = " ".join(line.removeprefix("HOW:").split())
            sentences += [s.strip() for s in re.split(r"(?<=\.)\s+", text) if s.strip()]
    return sentences


def test_shipped_site_has_16_stretches_in_three_timed_groups(shipped: Path, cli) -> None:
    result = cli(shipped)
    assert result.code == 0, result.err
    page = parse(shipped / "dist/index.html")
    details = [attrs for tag, attrs in page.tags if tag == "details"]
    assert len(details) == 16
    assert len({d["id"] for d in details}) == 16
    assert re.findall(r"takes (\d+) minutes", page.text) == ["2", "4", "4"]
    for heading in ("If sitting, do these", "If lying down, do these", "If standing, do these"):
        assert heading in page.text
    assert "Add this whenever sitting" in page.text and "Add this whenever resting" in page.text
    assert "Built 1 page with 16 stretches" in result.out


def test_every_how_sentence_of_the_seed_is_on_the_page(shipped: Path, cli) -> None:
    assert cli(shipped).code == 0
    text = parse(shipped / "dist/index.html").text.lower()
    sentences = seed_how_sentences()
    assert len(sentences) >= 40
    # every word of each, in order; a step may add its time before the full stop ("hold position for 10 seconds.")
    missing = [s for s in sentences if s.lower().removesuffix(".") not in text]
    assert not missing


def test_seed_disclaimer_instructions_and_call_to_action_are_on_the_page(shipped: Path, cli) -> None:
    assert cli(shipped).code == 0
    text = parse(shipped / "dist/index.html").text
    for words in ("These stretches are not designed to be medical advice.",
                  "break, infection, tumor, tear or organ involvement.",
                  "If any of the stretches cause pain, stop doing it and move on to the next one.",
                  "repeat the sequence as much as 10x/day in the order given.",
                  "use the daily warm-up exercises to stay feeling young and active.",
                  "This is for you if you have pain between the shoulder blades",
                  "Want to feel better faster?", "Middle Back Relief Stretches"):
        assert words in text
    assert "HOW:" not in text and "CLASP ARMS" not in text  # sentence case, not shouting
    assert not re.search(r"\b(click|arrow)\b", text, re.IGNORECASE)


def test_a_second_page_builds_to_its_own_folder(shipped: Path, cli) -> None:
    add_page(shipped, "neck-relief", title="Neck Relief Stretches")
    result = cli(shipped)
    assert result.code == 0, result.err
    neck = parse(shipped / "dist/neck-relief/index.html")
    assert "Neck Relief Stretches" in neck.text
    assert len([t for t, _ in neck.tags if t == "details"]) == 3
    # 20 s to get into position, 45 s of rolling, 20 s again (no position given: may be a change), 3 holds
    # of 5 s: 100 s, not within 5 % of 2 minutes, so said as it is; the extra is not timed
    assert "takes 1 minute 40 seconds" in neck.text
    assert (shipped / "dist/middle-back-relief/index.html").is_file()
    assert "Middle Back Relief Stretches" in parse(shipped / "dist/index.html").text


def test_several_pages_without_home_get_an_index_of_pages(tiny: Path, cli) -> None:
    add_page(tiny, "shoulder-relief", title="Shoulder Relief")
    assert cli(tiny).code == 0
    index = parse(tiny / "dist/index.html")
    links = {attrs.get("href") for tag, attrs in index.tags if tag == "a"}
    assert {"neck-relief/index.html", "shoulder-relief/index.html"} <= links


def test_jinja_syntax_in_markdown_shows_as_written(tiny: Path, cli) -> None:
    write(tiny / "content/neck-relief/sitting/02-chin-tuck.md",
          "---\ntitle: Chin {{ tuck }}\nduration: 30\n---\n1. Tuck {{ 7 * 7 }} {% if x %}y{% endif %}\n")
    assert cli(tiny).code == 0
    text = parse(tiny / "dist/index.html").text
    assert "Tuck {{ 7 * 7 }} {% if x %}y{% endif %}" in text
    assert "Chin {{ tuck }}" in text and "49" not in text


def test_two_builds_are_byte_identical(shipped: Path, cli, tmp_path: Path) -> None:
    assert cli(shipped, "--out", str(tmp_path / "a")).code == 0
    assert cli(shipped, "--out", str(tmp_path / "b")).code == 0
    assert tree_hash(tmp_path / "a") == tree_hash(tmp_path / "b")


def test_deleted_content_does_not_linger(tiny: Path, cli) -> None:
    assert cli(tiny).code == 0
    assert (tiny / "dist/assets/media").exists()
    (tiny / "content/neck-relief/sitting/01-neck-roll.md").unlink()
    assert cli(tiny).code == 0
    assert "Neck roll" not in (tiny / "dist/index.html").read_text()
    assert not list((tiny / "dist").rglob("roll.*.svg"))


def test_a_failed_build_leaves_the_previous_bundle_byte_for_byte(tiny: Path, cli) -> None:
    assert cli(tiny).code == 0
    before = tree_hash(tiny / "dist")
    write(tiny / "content/neck-relief/sitting/02-chin-tuck.md", "---\ntitle: [unclosed\n---\nbody\n")
    result = cli(tiny)
    assert result.code == 1
    assert tree_hash(tiny / "dist") == before
    assert "was left as it was" in result.err


def test_a_template_error_leaves_the_previous_bundle(tiny: Path, cli) -> None:
    assert cli(tiny).code == 0
    before = tree_hash(tiny / "dist")
    write(tiny / "templates/_stretch.html", "<details>\n{{ stretch.nope.deeper }}\n</details>\n")
    result = cli(tiny)
    assert result.code == 1
    assert re.search(r"templates/_stretch\.html:2:\d+: error: template error", result.err)
    assert tree_hash(tiny / "dist") == before


def test_out_writes_elsewhere_and_refuses_a_foreign_folder(tiny: Path, cli, tmp_path: Path) -> None:
    assert cli(tiny, "--out", str(tmp_path / "public")).code == 0
    assert (tmp_path / "public/index.html").is_file()
    assert not (tiny / "dist").exists()
    precious = write(tmp_path / "home/notes.txt", "keep me")
    result = cli(tiny, "--out", str(tmp_path / "home"))
    assert result.code == 1 and "not a relief bundle" in result.err
    assert precious.read_text() == "keep me"


def test_build_py_runs_as_a_script_and_reports_usage_errors(tiny: Path) -> None:
    ok = subprocess.run([sys.executable, str(ROOT / "build.py"), "--project", str(tiny)],
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert re.search(r"Built 1 page with 3 stretches .* in \d+\.\d\d s", ok.stdout)
    usage = subprocess.run([sys.executable, str(ROOT / "build.py"), "--bogus"], capture_output=True,
                           text=True, timeout=60)
    assert usage.returncode == 2


def test_build_py_builds_its_own_project_from_any_folder(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, str(ROOT / "build.py"), "--no-cache", "--out", str(tmp_path / "out")],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "Middle Back Relief Stretches" in (tmp_path / "out/index.html").read_text()


_AS_A_PROGRAM = """
import atexit, runpy, sys
atexit.register(lambda: print("teardown", flush=True))
sys.argv = [sys.argv[1], *sys.argv[2:]]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def test_a_build_run_as_a_program_ends_at_once_with_its_status_and_every_line_written(tiny: Path,
                                                                                       tmp_path: Path) -> None:
    """``python build.py`` skips the interpreter's teardown after a build (it would free every object of the
    build one by one): no exit handler runs, yet its lines reach a file (buffered) and its status is the build's,
    for a build that succeeds and one that fails. Another command ends the usual way."""
    for broken in (False, True):
        if broken:
            write(tiny / "content/neck-relief/sitting/02-chin-tuck.md", "---\ntitle: [unclosed\n---\nSit.\n")
        with (tmp_path / "out.txt").open("w") as out, (tmp_path / "err.txt").open("w") as err:
            run = subprocess.run([sys.executable, "-c", _AS_A_PROGRAM, str(ROOT / "build.py"), "--project",
                                  str(tiny)], stdout=out, stderr=err, timeout=120)
        said = (tmp_path / "out.txt").read_text() + (tmp_path / "err.txt").read_text()
        assert run.returncode == (1 if broken else 0), said
        assert ("teardown" in said) is not sys.platform.startswith("linux")  # elsewhere workers are spawned
        assert ("Build failed: 1 problem; dist was left as it was." if broken else "Built 1 page with") in said
    usage = subprocess.run([sys.executable, "-c", _AS_A_PROGRAM, str(ROOT / "build.py"), "new", "--help"],
                           capture_output=True, text=True, timeout=60)
    assert usage.returncode == 0 and "usage: relief new" in usage.stdout and "teardown" in usage.stdout
