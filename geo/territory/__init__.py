"""Territories: the INSEE COG hierarchy commune → EPCI → département → région and its outlines.

Owns the reference readers (:mod:`.reference`), the engine (:mod:`.engine`: resolve, hierarchy,
neighbours, outlines, names), the grid point-in-polygon (:mod:`.locate`), the search by name or
code (:mod:`.search`), the one rule reading commune codes as people write them
(:mod:`.codes`), the canonical territory reference (:mod:`.ref`: ``TerritoryRef`` and the
``"level:code"`` form), the outlines derived from the published files (:mod:`.outlines`),
and their preparation once per edition (:mod:`.prepared`, :mod:`.loading`). May import
``geo.errors``, ``geo.settings``, ``geo.text`` and, to fetch a missing file, ``geo.sources``;
never the datasets, projects, store or map layers.
"""

from geo.territory.engine import TERRITORY_COLUMNS, Territories
from geo.territory.loading import load_territories
from geo.territory.ref import LEVEL_LABELS, LEVELS, Level, TerritoryRef
from geo.territory.search import SearchResult

__all__ = [
    "LEVELS",
    "LEVEL_LABELS",
    "Level",
    "SearchResult",
    "TERRITORY_COLUMNS",
    "Territories",
    "TerritoryRef",
    "load_territories",
]
