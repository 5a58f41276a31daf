"""Example projects for a first start: ``data/demo_projects.csv``, loaded into an empty store.

About forty initiatives written for this application (none is a real project, no real person
appears), spread over Isère, Paris and a few other départements, covering every theme,
category, stage and carrier type. Every row has ``source = "exemple"``, so they are easy to
filter out or remove, and an ``external_id``, so loading them twice changes nothing.

With them come a handful of fictional communs and actors (``data/demo_communs.json``, source
``exemple``, addresses under ``example.org``): each commun is reused by projects of several
territories (Isère, Paris, other départements), and its maintainers are carriers of the demo
projects.

``GEO_DEMO=0`` disables them. Safe when several processes start at once: the import matches
rows on source + external id inside its write transaction, so a second loader finds them
already there (and on PostgreSQL a loader that loses the race on the unique key gives up).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from geo.errors import GeoError
from geo.projects.importer import ImportReport, import_projects
from geo.settings import PROJECT_ROOT, Settings, get_settings
from geo.store.identity import Operator

if TYPE_CHECKING:
    from geo.store.project_store import ProjectStore
    from geo.territory import Territories

DEMO_FILE = PROJECT_ROOT / "data" / "demo_projects.csv"
DEMO_COMMUNS = PROJECT_ROOT / "data" / "demo_communs.json"
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
        report = import_projects(
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
    ensure_demo_communs(store)
    return report


def ensure_demo_communs(store: ProjectStore) -> int:
    """The demo communs and actors, unless the store has communs already; how many communs."""
    if store.communs.list(public=False):
        return 0
    data = json.loads(DEMO_COMMUNS.read_text(encoding="utf-8"))
    operator = Operator("demo")
    for actor in data["actors"]:
        store.actors.save(actor, operator=operator)
    return len(store.communs.save_many(data["communs"], operator=operator).ids)
