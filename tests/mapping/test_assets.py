"""geo.mapping.assets: Leaflet copied from the XStatic packages into the app's static folder."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from geo.mapping import assets
from geo.settings import PROJECT_ROOT


def test_installs_leaflet_and_markercluster(tmp_path: Path) -> None:
    assert assets.install_static_assets(tmp_path) == ["leaflet", "leaflet.markercluster"]
    vendor = tmp_path / "static" / "vendor"
    leaflet_js = (vendor / "leaflet" / "leaflet.js").read_text(encoding="utf-8")
    assert "1.9.3" in leaflet_js[:200]
    assert (vendor / "leaflet" / "leaflet.css").is_file()
    assert (vendor / "leaflet" / "images" / "layers.png").is_file()
    assert (vendor / "leaflet.markercluster" / "leaflet.markercluster.js").is_file()
    assert (vendor / "leaflet.markercluster" / "MarkerCluster.Default.css").is_file()
    # Only the two package folders: no staging leftovers.
    assert sorted(p.name for p in vendor.iterdir()) == ["leaflet", "leaflet.markercluster"]


def test_second_call_copies_nothing(tmp_path: Path) -> None:
    assets.install_static_assets(tmp_path)
    marker = tmp_path / "static" / "vendor" / "leaflet" / "leaflet.js"
    before = marker.stat().st_mtime_ns
    assert assets.install_static_assets(tmp_path) == []
    assert marker.stat().st_mtime_ns == before


@pytest.mark.parametrize("damage", ["version", "missing"])
def test_reinstalls_when_version_changed_or_missing(tmp_path: Path, damage: str) -> None:
    assets.install_static_assets(tmp_path)
    folder = tmp_path / "static" / "vendor" / "leaflet"
    if damage == "version":
        (folder / ".xstatic-version").write_text("leaflet 1.0.0\n", encoding="utf-8")
        (folder / "stale.js").write_text("old", encoding="utf-8")
    else:
        (folder / ".xstatic-version").unlink()
    assert assets.install_static_assets(tmp_path) == ["leaflet"]
    assert (folder / "leaflet.js").is_file()
    assert not (folder / "stale.js").exists()
    assert sorted(p.name for p in folder.parent.iterdir()) == ["leaflet", "leaflet.markercluster"]


def test_vendor_url() -> None:
    assert (
        assets.vendor_url(assets.LEAFLET, "leaflet.js") == "/app/static/vendor/leaflet/leaflet.js"
    )
    assert (
        assets.vendor_url(assets.MARKERCLUSTER, "MarkerCluster.css", base_url_path="/carte/")
        == "/carte/app/static/vendor/leaflet.markercluster/MarkerCluster.css"
    )


def test_streamlit_serves_the_static_folder_and_git_ignores_it() -> None:
    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text("utf-8"))
    assert config["server"]["enableStaticServing"] is True
    ignored = (PROJECT_ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "static/vendor/" in ignored


def test_a_fresh_clone_has_the_static_folder_streamlit_serves() -> None:
    # Streamlit checks the folder when the server starts, before navigation.py installs the vendored
    # files: without a tracked file in it, every first start printed "no static folder found".
    # (static/vendor/ is ignored by git: the README is what a clone brings.)
    assert (PROJECT_ROOT / "static" / "README.md").is_file()
