"""Relief pages: a static site generator for stretch routines.

The pipeline (see ``relief.pipeline.build``) reads ``content/`` into frozen data
(``relief.content``), renders it through ``templates/`` (``relief.render``) and swaps a
complete bundle into ``dist/`` (``relief.publish``).
"""

__version__ = "0.1.0"
