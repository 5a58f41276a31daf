"""Leaflet and its plugins, served by the app itself so the map works without internet.

The files come from the installed XStatic packages (a declared dependency), are copied at start
into ``static/vendor/`` beside ``navigation.py`` (ignored by git) and served by Streamlit at
``/app/static/vendor/…`` when ``server.enableStaticServing`` is on (``.streamlit/config.toml``).
Nothing here imports Streamlit.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from geo.settings import PROJECT_ROOT

#: Where Streamlit serves the ``static/`` folder beside the main script.
STATIC_URL = "/app/static"
VENDOR_DIR = Path("static") / "vendor"
_VERSION_FILE = ".xstatic-version"


@dataclass(frozen=True)
class VendorPackage:
    module: str  # the XStatic package (its BASE_DIR holds the files)
    folder: str  # its folder under static/vendor/


LEAFLET = VendorPackage("xstatic.pkg.leaflet", "leaflet")
MARKERCLUSTER = VendorPackage("xstatic.pkg.leaflet_markercluster", "leaflet.markercluster")
PACKAGES = (LEAFLET, MARKERCLUSTER)


def vendor_url(package: VendorPackage, filename: str, *, base_url_path: str = "") -> str:
    """Local URL of one vendored file, e.g. ``/app/static/vendor/leaflet/leaflet.js``.

    ``base_url_path`` is Streamlit's ``server.baseUrlPath`` when the app is served below a prefix.
    """
    prefix = f"/{base_url_path.strip('/')}" if base_url_path.strip("/") else ""
    return f"{prefix}{STATIC_URL}/vendor/{package.folder}/{filename}"


def _source(package: VendorPackage, fallback: Path | None = None) -> tuple[Path, str]:
    """The package's files and version; without the package, a copy in ``fallback`` (the
    ``static/vendor`` folder of an offline kit, :mod:`geo.kit`)."""
    try:
        module = import_module(package.module)
    except ModuleNotFoundError:
        copy = _installed_version(fallback / package.folder) if fallback else None
        if fallback is None or copy is None:
            raise
        return fallback / package.folder, copy
    return Path(module.BASE_DIR), f"{module.NAME} {module.VERSION}"


def _installed_version(target: Path) -> str | None:
    try:
        return (target / _VERSION_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None


def _install_one(package: VendorPackage, vendor_dir: Path, fallback: Path | None = None) -> bool:
    source, version = _source(package, fallback)
    target = vendor_dir / package.folder
    if _installed_version(target) == version:
        return False
    vendor_dir.mkdir(parents=True, exist_ok=True)
    # Copy beside the target then rename, so a concurrent start never serves half a folder.
    staging = Path(tempfile.mkdtemp(prefix=f".{package.folder}-", dir=vendor_dir))
    try:
        shutil.copytree(source, staging, dirs_exist_ok=True)
        (staging / _VERSION_FILE).write_text(version + "\n", encoding="utf-8")
        if target.exists():
            stale = Path(tempfile.mkdtemp(prefix=f".{package.folder}-old-", dir=vendor_dir))
            os.replace(target, stale / package.folder)
            shutil.rmtree(stale, ignore_errors=True)
        try:
            os.replace(staging, target)
        except OSError:
            # Another process installed it in between: keep theirs if it is the right version.
            if _installed_version(target) != version:
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return True


def install_static_assets(root: Path | None = None, *, fallback: Path | None = None) -> list[str]:
    """Copy the vendored front-end packages into ``ROOT/static/vendor`` when missing or outdated.

    Cheap when they are already in place (one small file read per package), so the app calls it
    at every run. Returns the folders that were (re)installed. ``fallback``: where to take them
    from when a package is not installed (an offline kit's copy).
    """
    vendor_dir = (root or PROJECT_ROOT) / VENDOR_DIR
    return [p.folder for p in PACKAGES if _install_one(p, vendor_dir, fallback)]


def install_into(vendor_dir: Path) -> list[str]:
    """The same files copied into ``vendor_dir`` (an offline kit's ``static/vendor``)."""
    return [p.folder for p in PACKAGES if _install_one(p, vendor_dir)]
