"""Territory portrait: what exists in one territory, how it compares, what its neighbours do.

Owns the figures of one territory and their comparisons (:mod:`.figures`: parent, France,
neighbours, population class) on what is computed once per dataset and level
(:mod:`.context`), the published projects here and around (:mod:`.projects`), the portrait
itself and its JSON (:mod:`.portrait`), the sheet as one self-contained HTML file
(:mod:`.sheet`, drawings in :mod:`.svg`) and its PDF (:mod:`.pdf`, the system Chromium's
print to PDF through Playwright). Never imports Streamlit; may import every package below
the pages (as :mod:`geo.explorer`).
"""

from geo.portrait.context import PortraitContext
from geo.portrait.portrait import Portrait, build_portrait

__all__ = ["Portrait", "PortraitContext", "build_portrait"]
