#!/usr/bin/env python3
"""Relief pages command line: ``python build.py [build|serve|check|new] ...``.

See ``python build.py --help``; the same commands are installed as ``relief``.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

if __name__ == "__main__":
    try:
        from relief.cli import main  # importable only once the line above has run
    except KeyboardInterrupt:  # Ctrl-C before relief had started: nothing was written
        sys.exit(130)
    sys.exit(main(project=HERE))  # the project is this file's folder, wherever it is run from
