"""The README, exactly as written: its commands use the project's Python, its sub-path recipe for Netlify
and Cloudflare Pages leaves what those hosts read where they read it, and local folders are git-ignored."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

from conftest import ROOT, copy_project, serving

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_runs_with_the_projects_python() -> None:
    commands = re.findall(r"`([^`\n]*(?:build\.py|bench/|scripts/)[^`\n]*)`", README)
    commands += [line for block in re.findall(r"```sh\n(.*?)```", README, re.S) for line in block.splitlines()]
    runs = [c.strip() for c in commands if re.search(r"\bpython3?\s+\S*\.py", c)]
    assert len(runs) > 8
    for command in runs:
        # on a host's build image there is no venv: 'pip install .' there, then its python
        on_a_host = command.startswith("pip install . && python ")
        assert on_a_host or not re.search(r"(?<![/\w])python3?\s+\S*\.py", command), command


def test_the_sub_path_recipe_puts_headers_and_404_at_the_top_and_the_site_below(tmp_path: Path) -> None:
    [recipe] = [line for block in re.findall(r"```sh\n(.*?)```", README, re.S) for line in block.splitlines()
                if "--out public/relief" in line]
    recipe = recipe.strip()
    project = copy_project(tmp_path / "site")
    shutil.copy(ROOT / "build.py", project)
    command = recipe.removeprefix("pip install . && ").replace("python build.py", f"{sys.executable} build.py")
    subprocess.run(["bash", "-c", command], cwd=project, check=True, capture_output=True)
    public = project / "public"
    headers = (public / "_headers").read_text()
    assert "/relief/*\n" in headers and "/relief/assets/*\n  Cache-Control: public, max-age=31536000" in headers
    assert not (public / "relief/_headers").exists()
    assert b'href="/relief/assets/css/style.' in (public / "404.html").read_bytes()
    assert (public / "relief" / "404.html").is_file()  # what Cloudflare Pages serves for a missing /relief/ page
    with serving(public) as url:
        page = urllib.request.urlopen(f"{url}relief/").read().decode()
        [stylesheet] = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
        assert urllib.request.urlopen(f"{url}relief/{stylesheet}").status == 200
        assert "https://YOUR-SITE/relief/" in page  # the canonical link, from --base-url


def test_local_folders_are_git_ignored() -> None:
    local = [".venv/", "dist/", ".relief-cache/", "public/", "node_modules", ".pytest_cache/", "bench/out/",
             ".tools/", "test-results/", "relief/__pycache__/", "relief_pages.egg-info/", ".ruff_cache/",
             ".hypothesis/", ".dist.tmp1/"]
    result = subprocess.run(["git", "check-ignore", "--no-index", *local], cwd=ROOT, capture_output=True, text=True)
    assert sorted(result.stdout.split()) == sorted(local)
