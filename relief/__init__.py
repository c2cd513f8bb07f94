"""Relief pages: a static site generator for stretch routines.

The pipeline (``relief.pipeline.Builder.build``) runs four stages, each a package or module:

1. ``relief.load`` reads ``content/``, ``templates/`` and ``assets/`` and validates them
   into frozen data (``relief.model``);
2. ``relief.render`` turns that data into the bundle's files, in memory;
3. ``relief.publish`` swaps the complete bundle into ``dist/``;
4. ``relief.commands`` (build, serve, check, new) run the pipeline for the command line
   (``relief.cli``) and print through ``relief.report``.

``relief.cache`` keeps results between builds. docs/architecture.md has the rules.
"""

__version__ = "0.1.0"
