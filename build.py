#!/usr/bin/env python3
"""Relief pages command line: ``python build.py [build|serve|check|new] ...``.

See ``python build.py --help``; the same commands are installed as ``relief``.
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

if __name__ == "__main__":
    try:
        from relief.cli import program  # importable only once the line above has run
    except KeyboardInterrupt:  # Ctrl-C before relief had started: nothing was written
        sys.exit(130)
    except ModuleNotFoundError as missing:  # run by a Python without relief's libraries: not the project's venv
        venv = HERE / ".venv" / "bin" / "python"
        shown = [os.path.relpath(p) if Path.cwd() in Path(p).parents else str(p) for p in (venv, HERE / "build.py")]
        hint = (f"run it with the project's Python: {' '.join(shown)}"
                if venv.exists() else
                "install it first: python3 -m venv .venv && .venv/bin/pip install -e . "
                "then run .venv/bin/python build.py")
        print(f"relief: {sys.executable} has no '{missing.name}' module; {hint}", file=sys.stderr)
        sys.exit(2)
    program(project=HERE)  # the project is this file's folder, wherever it is run from
