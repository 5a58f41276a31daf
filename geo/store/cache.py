"""What a process keeps of what it read, for as long as the database's data version stays.

Several app processes share one database: a cache held in one process's memory cannot know
what another wrote, unless the database says. It does: ``store_version`` increases with every
transaction changing a project or its tags (triggers, :mod:`geo.store.db`), so an entry is
kept with the version it was read at and served only while the database still holds that
version. The version is read in the same transaction as the rows and before them, so an entry
is never older than its version (PostgreSQL reads committed: the rows may only be newer).

Bounded by the rows held (the frames of a national registry are large), least recently used
first out; each hit is a copy, so a caller changing its frame changes nothing here.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

import geopandas as gpd

#: Rows kept over every entry (about 0.5 GB at worst for projects with long descriptions).
MAX_ROWS = 250_000


class VersionedFrames:
    def __init__(self, max_rows: int = MAX_ROWS) -> None:
        self.max_rows = max_rows
        self._entries: OrderedDict[Hashable, tuple[int, gpd.GeoDataFrame]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, version: int) -> gpd.GeoDataFrame | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != version:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[1].copy()

    def put(self, key: Hashable, version: int, frame: gpd.GeoDataFrame) -> None:
        if len(frame) > self.max_rows:
            return
        with self._lock:
            self._entries[key] = (version, frame.copy())
            self._entries.move_to_end(key)
            # Entries of older versions will never be served again: they go first.
            for stale in [k for k, (v, _) in self._entries.items() if v < version]:
                del self._entries[stale]
            while sum(len(f) for _, f in self._entries.values()) > self.max_rows:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
