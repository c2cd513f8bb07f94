#!/usr/bin/env python3
"""Relief pages command line: ``python build.py [build|serve|check|new] ...``.

See ``python build.py --help``; the same commands are installed as ``relief``.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from relief.cli import main

if __name__ == "__main__":
    sys.exit(main())
