"""The generator's layout holds its rules: stages import only the stages below them, nothing
imports the command line, only the writers write, the schema and the model agree, and every
file a docstring or test names exists (docs/architecture.md explains the rules)."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest
from conftest import ROOT

from relief import model
from relief.load import schema

PACKAGE = ROOT / "relief"

# who may import whom: a module's stage (its first name below relief) -> the stages it may use
ALLOWED = {
    "errors": set(),
    "model": set(),
    "workers": set(),  # the process pool of parsing and rendering
    "cache": {"__init__"},  # relief.__version__ goes into the cache key
    "load": {"errors", "model", "cache", "workers"},
    "render": {"errors", "model", "cache", "workers"},
    "publish": {"errors"},
    "pipeline": {"errors", "model", "cache", "load", "render", "publish"},
    "report": {"errors", "pipeline"},
    "commands": {"errors", "model", "load", "render", "pipeline", "report"},
    "cli": {"cache", "load", "pipeline", "commands"},
    "__init__": set(),
}
# the modules that may write to disk, and what they write
WRITERS = {
    "relief.publish": "the bundle (dist/ or --out)",
    "relief.cache.store": ".relief-cache/",
    "relief.cache.stamp": ".relief-cache/built-* (what the last build of an output folder read and wrote)",
    "relief.commands.new": "new content files",
    "relief.commands.messages": "locales/ (the catalogs of the interface's words)",
    "relief.commands.serve": "its temporary folder",
    "relief.commands.check": "its temporary folder",
}
_WRITES = re.compile(r"\.(write_text|write_bytes|mkdir|unlink|rmdir|rename|touch|symlink_to|hardlink_to)\(|"
                     r"os\.(replace|rename|link|unlink|remove|rmdir|makedirs|mkdir|chmod)\(|shutil\.(rmtree|copy|move)|"
                     r"mkstemp|mkdtemp|TemporaryDirectory|open\([^)]*['\"][wax]")


def modules() -> dict[str, Path]:
    return {".".join(("relief", *p.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__"): p
            for p in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str, path: Path) -> set[str]:
    """The relief modules ``name`` imports (``from .x import y`` counts y when it is a module)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    known = modules()
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("relief")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            if not base.startswith("relief"):
                continue
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in known}
    return found & known.keys()


def stage(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_each_stage_imports_only_the_stages_it_may_use() -> None:
    wrong = [f"{name} imports {other}" for name, path in modules().items() for other in imports(name, path)
             if stage(other) != stage(name) and stage(other) not in ALLOWED[stage(name)]]
    assert wrong == []


def test_nothing_imports_the_command_line() -> None:
    assert [name for name, path in modules().items() if "relief.cli" in imports(name, path)] == []


def test_there_is_no_import_cycle() -> None:
    graph = {name: imports(name, path) - {name} for name, path in modules().items()}
    # a package's __init__ importing its own modules is how it exports them, not a cycle of meaning
    graph = {name: {o for o in others if not (path_is_package(name) and o.startswith(name + "."))}
             for name, others in graph.items()}
    cycles: list[list[str]] = []

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            cycles.append([*trail[trail.index(name):], name])
            return
        for other in sorted(graph[name]):
            visit(other, [*trail, name])

    for name in graph:
        visit(name, [])
    assert cycles == []


def path_is_package(name: str) -> bool:
    return modules()[name].name == "__init__.py"


def test_only_the_writers_write_to_disk() -> None:
    writing = {name for name, path in modules().items() if _WRITES.search(path.read_text(encoding="utf-8"))}
    assert writing == set(WRITERS)


# ---- one place for a field ----

DERIVED = {  # model attributes that are not a front matter field of their own
    model.Stretch: {"id", "body_html", "body_text", "source"},
    model.Page: {"slug", "intro_html", "source", "next_review_at", "language", "source_reviewed"},
    model.Site: {"pages", "source", "translated"},
}
FOLDED = {"alt": "image"}  # a field kept inside another attribute: Stretch.image.alt


@pytest.mark.parametrize(("fields", "cls"), [(schema.STRETCH, model.Stretch), (schema.PAGE, model.Page),
                                             (schema.SITE, model.Site), (schema.CTA, model.CallToAction),
                                             (schema.GROUP, model.Group), (schema.POSITION, model.Position)])
def test_the_model_holds_every_field_of_the_schema_and_nothing_else(fields: schema.Schema, cls: type) -> None:
    attributes = set(cls.__dataclass_fields__)
    expected = {FOLDED.get(name, f"{name}_html" if spec.check is schema.markdown else name)
                for name, spec in fields.items()}
    derived = DERIVED.get(cls, set()) | ({"routine", "extras", "plan", "seconds"} if cls is model.Group else set())
    assert attributes - derived == expected - ({"stretches"} if cls is model.Group else set())


def test_new_writes_every_stretch_field_with_its_help() -> None:
    from relief.commands.new import stretch_text

    text = stretch_text("neck-roll")
    for name, spec in schema.STRETCH.items():
        line = next(line for line in text.splitlines() if re.match(rf"(# )?{name}:", line))
        assert spec.help in line
        assert line.startswith("# ") != (spec.required or spec.scaffold)


# ---- files named in the code exist ----

# the project's own folders (content/ and assets/ paths in tests are mostly those of a test's own site)
_CITED_FILE = re.compile(r"(?<![\w./-])((?:relief|tests|templates|bench|scripts|docs|\.ci|\.github)/"
                         r"[\w./-]*\w\.(?:py|html|json|js|css|md|svg|yaml|yml|png|txt|xsd|sh))\b")
_CITED_MODULE = re.compile(r"``(relief(?:\.\w+)+)``")


# a test's templates/... is usually its own test site's, not the project's
_SITE_FOLDERS = ("templates/",)


def cited_in() -> list[Path]:
    return [*PACKAGE.rglob("*.py"), *(ROOT / "tests").glob("*.py"), *(ROOT / "bench").glob("*.py"),
            *(ROOT / "docs").glob("*.md"), ROOT / "README.md"]


def test_every_file_named_in_code_tests_and_docs_exists() -> None:
    outputs = tuple(line.strip("/") + "/" for line in (ROOT / ".gitignore").read_text(encoding="utf-8").split()
                    if line.startswith("/") and line.endswith("/"))  # bench/out/...: made by running, not kept
    missing = [f"{path.relative_to(ROOT)}: {cited}" for path in cited_in()
               for cited in _CITED_FILE.findall(path.read_text(encoding="utf-8"))
               if not cited.startswith(outputs + _SITE_FOLDERS * (path.parent.name == "tests"))
               and not (ROOT / cited).exists()]
    assert missing == []


def test_every_module_named_in_a_docstring_exists() -> None:
    missing = []
    for path in cited_in():
        for dotted in _CITED_MODULE.findall(path.read_text(encoding="utf-8")):
            if not _resolves(dotted):
                missing.append(f"{path.relative_to(ROOT)}: {dotted}")
    assert missing == []


def _resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            if not hasattr(target, attribute):
                return False
            target = getattr(target, attribute)
        return True
    return False
