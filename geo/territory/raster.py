"""The communes rasterised once: which commune outline lies under each pixel of a picture of
metropolitan France, so that a choropleth too heavy to send as outlines can be sent as an
image (:mod:`geo.mapping.raster`) without locating a million points at every request.

Pixel rows are evenly spaced in Web Mercator, as Leaflet draws an image over a map, so the
picture lies exactly on it; columns are evenly spaced in longitude.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

#: ((south, west), (north, east)) of the picture: metropolitan France and Corsica.
NATIONAL_BOUNDS = ((41.3, -5.2), (51.1, 9.6))
#: Width in pixels (~1.3 km per pixel).
NATIONAL_WIDTH = 1100


def pixel_centres(
    bounds: tuple[tuple[float, float], tuple[float, float]] = NATIONAL_BOUNDS,
    width: int = NATIONAL_WIDTH,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``(lat, lon)`` of the pixel centres, each ``(height, width)``."""
    (south, west), (north, east) = bounds
    y_south, y_north = _mercator_y(south), _mercator_y(north)
    height = max(1, int(round(width * (y_north - y_south) / np.radians(east - west))))
    lon = west + (np.arange(width) + 0.5) * (east - west) / width
    y = y_north - (np.arange(height) + 0.5) * (y_north - y_south) / height
    lat = np.degrees(2 * np.arctan(np.exp(y)) - np.pi / 2)
    grid_lat, grid_lon = np.meshgrid(lat, lon, indexing="ij")
    return grid_lat, grid_lon


def _mercator_y(lat: float) -> float:
    return float(np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)))
