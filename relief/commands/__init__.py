"""Stage 4, the commands: ``build``, ``serve``, ``check`` and ``new``, each a function the CLI calls.

Rule: a command runs the pipeline (``relief.pipeline``) and prints through
``relief.report``; it never imports ``relief.cli``, which only parses arguments.
``serve`` talks to livereload only through ``watch``; ``check`` holds the checks of the
built HTML.
"""
