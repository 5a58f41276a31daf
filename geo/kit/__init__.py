"""Offline territory kits: everything the app needs for one territory and its neighbours, in
one folder that runs with no network and no mirror (``python -m geo kit build``).

Owns :mod:`.clip` (the published files cut down to the kit's area, in their own formats),
:mod:`.install` (the app's source tree, its pinned dependencies and their wheels, so that a
laptop installs it with no package registry), :mod:`.readme` (the kit's French
``README.md``) and :mod:`.build` (the kit: clipped reference, datasets and addresses fetched
into the kit's data directory through the usual checks, the reference prepared, the published
projects and tours copied under their ids, Leaflet's files, the app). See
:func:`geo.kit.build.build_kit`.
"""

from geo.kit.build import KIT_FILE, KitReport, build_kit

__all__ = ["KIT_FILE", "KitReport", "build_kit"]
