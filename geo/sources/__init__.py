"""Official open-data files: their declarations, the atomic fetch (network or mirror) and the
manifest of what is cached.

Owns :mod:`.declared` (every file the application uses, by name and official URL),
:mod:`.download` (temporary file, fsync, validation, rename: never a half file) and
:mod:`.fetch` (``GEO_DATA_DIR`` layout, manifest, GeoParquet conversion, ``ensure_local``).
May import ``geo.errors``, ``geo.settings`` and the dataset catalogue (for the dataset files);
nothing else of ``geo``.
"""

from geo.sources.declared import GROUPS, SOURCES, Source, mirror_path, resolve_names
from geo.sources.fetch import ensure_local, read_manifest

__all__ = [
    "GROUPS",
    "SOURCES",
    "Source",
    "ensure_local",
    "mirror_path",
    "read_manifest",
    "resolve_names",
]
