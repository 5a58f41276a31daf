"""The portrait's context from the data directory: every dataset of the catalogue loaded (a
dataset that cannot be had is "non chargé" with its French reason), the manifest's dates."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import pandas as pd

from geo.datasets import CATALOGUE, load
from geo.errors import GeoError
from geo.indicators import manifest_dates
from geo.portrait.context import PortraitContext
from geo.settings import Settings, get_settings
from geo.sources.fetch import read_manifest
from geo.territory import Territories

log = logging.getLogger(__name__)


def open_context(
    territories: Territories,
    settings: Settings | None = None,
    *,
    frames: Mapping[str, pd.DataFrame | GeoError] | None = None,
) -> PortraitContext:
    """The context of the portraits: ``frames`` (a frame or the error that kept it away, per
    dataset id) or else every dataset loaded now from the data cache (fetched when missing)."""
    settings = settings or get_settings()
    loaded: dict[str, pd.DataFrame | None] = {}
    problems: dict[str, str] = {}
    for dataset in CATALOGUE.values():
        if frames is not None:
            value = frames.get(dataset.id)
        else:
            try:
                value = load(dataset, settings, territories=territories).frame
            except GeoError as error:
                value = error
        if isinstance(value, GeoError):
            log.info("Jeu de données %s non chargé : %s", dataset.id, value)
            problems[dataset.id] = str(value)
            value = None
        loaded[dataset.id] = value
    manifest = read_manifest(settings.data_dir)
    return PortraitContext(
        territories,
        loaded,
        problems=problems,
        as_of=manifest_dates(manifest),
        manifest=manifest,
    )
