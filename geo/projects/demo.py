"""Example projects for a first start: ``data/demo_projects.csv``, loaded into an empty store.

About forty initiatives written for this application (none is a real project, no real person
appears), spread over Isère, Paris and a few other départements, covering every theme,
category, stage and carrier type. Every row has ``source = "exemple"``, so they are easy to
filter out or remove, and an ``external_id``, so loading them twice changes nothing.

``GEO_DEMO=0`` disables them. Safe when several processes start at once: the import matches
rows on source + external id inside its write transaction, so a second loader finds them
already there (and on PostgreSQL a loader that loses the race on the unique key gives up).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from geo.errors import GeoError
from geo.projects.importer import ImportReport, import_projects
from geo.settings import PROJECT_ROOT, Settings, get_settings
from geo.store.identity import Operator

if TYPE_CHECKING:
    from geo.store.project_store import ProjectStore
    from geo.territory import Territories

DEMO_FILE = PROJECT_ROOT / "data" / "demo_projects.csv"
DEMO_SOURCE = "exemple"


#: The file marking a data directory as an offline kit (geo.kit.KIT_FILE; not imported:
#: geo.kit builds on this package).
KIT_FILE = "kit.json"


def ensure_demo_projects(
    store: ProjectStore,
    territories: Territories | None = None,
    settings: Settings | None = None,
) -> ImportReport | None:
    """Load the demo projects (published) if the store is empty and ``GEO_DEMO`` allows it;
    the import report, or None when nothing was loaded."""
    settings = settings or get_settings()
    if not settings.demo or store.count() > 0:
        return None
    if (settings.data_dir / KIT_FILE).is_file():
        # An offline kit (geo.kit) holds its territory's real projects, even when none.
        return None
    try:
        return import_projects(
            DEMO_FILE,
            store,
            territories=territories,
            status="publie",
            operator=Operator("demo"),
            settings=settings,
        )
    except GeoError:
        if store.count():  # another process loaded them first
            return None
        raise
