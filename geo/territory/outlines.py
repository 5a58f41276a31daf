"""Outlines derived from the published files, computed once per edition (then prepared).

- the commune outlines re-keyed to the current COG: délégué, associated and old codes become
  the commune they belong to, whose former parts are dissolved into one outline;
- the outlines of EPCI, départements and régions: the published ones, else the communes
  dissolved where all the members are loaded;
- the display outlines: each level simplified once as a coverage (no gaps appear);
- the neighbours of each territory (outlines that touch, within ~10 m) and a representative
  point of each commune.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.territory.locate import GridLocator
from geo.territory.raster import pixel_centres
from geo.territory.reference import Cog

#: Display simplification tolerance per level, in degrees (~100 m for communes).
DISPLAY_TOLERANCE = {"commune": 0.001, "epci": 0.002, "departement": 0.004, "region": 0.006}
#: Simplified outlines of neighbours leave slivers: ~10 m of tolerance for "touching".
TOUCHING_DEG = 1e-4
COG_COLUMN = {"epci": "epci", "departement": "departement", "region": "region"}


def current_communes(cog: Cog, published: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[str]]:
    """The commune outlines under their current code (``code, nom, geometry``, sorted by
    code) and the outline codes the COG does not know (they cannot be placed)."""
    communes = published.copy()
    communes["code"] = communes["code"].map(cog.current_code)
    unknown = sorted(published["code"][communes["code"].isna()].tolist())
    communes = communes.dropna(subset=["code"])[["code", "geometry"]]
    # Merged communes may still have one outline per former commune: dissolve those only
    # (a national dissolve of 35,000 single outlines would cost seconds).
    duplicated = communes["code"].duplicated(keep=False)
    if duplicated.any():
        merged = communes[duplicated].dissolve(by="code", as_index=False)
        communes = pd.concat([communes[~duplicated], merged[["code", "geometry"]]])
    communes = communes.sort_values("code", ignore_index=True)
    frame = gpd.GeoDataFrame(
        communes.merge(cog.communes[["code", "nom"]], on="code", how="left"),
        geometry="geometry",
        crs=4326,
    )
    return frame, unknown


def level_outlines(
    level: str, cog: Cog, communes: gpd.GeoDataFrame, published: gpd.GeoDataFrame | None
) -> gpd.GeoDataFrame:
    """The published outlines of ``level`` the COG knows, else the loaded communes dissolved
    where every member commune is loaded (``code, nom, geometry``, sorted by code)."""
    table = {"epci": cog.epci, "departement": cog.departements, "region": cog.regions}[level]
    known = set(table["code"])
    column = COG_COLUMN[level]
    frames = []
    have: set[str] = set()
    if published is not None and not published.empty:
        given = published.assign(code=published["code"].astype(str))
        given = given[given["code"].isin(known)]
        frames.append(given[["code", "geometry"]])
        have = set(given["code"])
    members = cog.communes.dropna(subset=[column])
    member_count = members.groupby(column).size()
    with_outline = communes[["code", "geometry"]].merge(members[["code", column]], on="code")
    loaded_count = with_outline.groupby(column).size()
    complete = [
        code
        for code, count in loaded_count.items()
        if code not in have and member_count.get(code) == count
    ]
    if complete:
        chosen = with_outline[with_outline[column].isin(complete)]
        dissolved = chosen.dissolve(by=column, as_index=False)[[column, "geometry"]]
        frames.append(dissolved.rename(columns={column: "code"}))
    if not frames:
        return gpd.GeoDataFrame({"code": [], "nom": []}, geometry=[], crs=4326)
    combined = pd.concat(frames, ignore_index=True).sort_values("code", ignore_index=True)
    combined["code"] = combined["code"].astype(str)
    combined["nom"] = table.set_index("code").loc[combined["code"], "nom"].to_numpy()
    return gpd.GeoDataFrame(combined[["code", "nom", "geometry"]], geometry="geometry", crs=4326)


def display_outlines(exact: gpd.GeoDataFrame, level: str) -> gpd.GeoDataFrame:
    """``exact`` simplified as a coverage at the level's tolerance."""
    simplified = shapely.coverage_simplify(
        exact.geometry.to_numpy(), tolerance=DISPLAY_TOLERANCE[level]
    )
    return gpd.GeoDataFrame(exact[["code", "nom"]].copy(), geometry=simplified, crs=4326)


def neighbour_pairs(exact: gpd.GeoDataFrame) -> pd.DataFrame:
    """``code, neighbour`` for every two outlines that touch (both directions, sorted)."""
    geometries = exact.geometry.to_numpy()
    if len(geometries) == 0:
        return pd.DataFrame({"code": [], "neighbour": []}, dtype=object)
    tree = shapely.STRtree(geometries)
    left, right = tree.query(geometries, predicate="dwithin", distance=TOUCHING_DEG)
    keep = left != right
    codes = exact["code"].to_numpy(dtype=object)
    pairs = pd.DataFrame({"code": codes[left[keep]], "neighbour": codes[right[keep]]})
    return pairs.sort_values(["code", "neighbour"], ignore_index=True)


def representative_points(display: gpd.GeoDataFrame) -> pd.DataFrame:
    """``lon, lat`` of a point inside each outline, indexed by code."""
    geometries = display.geometry.to_numpy()
    present = ~(shapely.is_missing(geometries) | shapely.is_empty(geometries))
    points = shapely.point_on_surface(geometries[present])
    return pd.DataFrame(
        {"lon": shapely.get_x(points), "lat": shapely.get_y(points)},
        index=pd.Index(display["code"].to_numpy()[present], name="code"),
    )


class BuiltOutlines:
    """Every derived outline computed from the published files, each once, when first asked
    (what :mod:`geo.territory.prepared` stores; tests and small references use it directly)."""

    def __init__(
        self,
        cog: Cog,
        published: Mapping[str, gpd.GeoDataFrame | Callable[[], gpd.GeoDataFrame] | None],
    ) -> None:
        """``published`` maps each level to its outlines, or to a function reading them
        (read when first needed: a preparation builds the locate index before)."""
        self._cog = cog
        communes = published["commune"]
        communes = communes() if callable(communes) else communes
        self._communes, self.unknown_outline_codes = current_communes(cog, communes)
        self._published = published
        self._exact: dict[str, gpd.GeoDataFrame] = {"commune": self._communes}
        self._display: dict[str, gpd.GeoDataFrame] = {}
        self._neighbours: dict[str, pd.DataFrame] = {}
        self._locator: GridLocator | None = None
        self._points: pd.DataFrame | None = None

    def commune_codes(self) -> np.ndarray:
        """Codes of the commune outlines, in the locator's polygon order."""
        return self._communes["code"].to_numpy(dtype=object)

    def exact(self, level: str, codes: Collection[str] | None = None) -> gpd.GeoDataFrame:
        if level not in self._exact:
            given = self._published.get(level)
            self._exact[level] = level_outlines(
                level, self._cog, self._communes, given() if callable(given) else given
            )
        return _subset(self._exact[level], codes)

    def display(self, level: str, codes: Collection[str] | None = None) -> gpd.GeoDataFrame:
        if level not in self._display:
            self._display[level] = display_outlines(self.exact(level), level)
        return _subset(self._display[level], codes)

    def coordinates(self, level: str) -> int:
        return int(shapely.get_num_coordinates(self.display(level).geometry.to_numpy()).sum())

    def neighbours(self, level: str) -> pd.DataFrame:
        if level not in self._neighbours:
            self._neighbours[level] = neighbour_pairs(self.exact(level))
        return self._neighbours[level]

    def locator(self) -> GridLocator:
        if self._locator is None:
            self._locator = GridLocator(self._communes.geometry.to_numpy())
        return self._locator

    def release_locator_pages(self) -> None:
        """Nothing to give back: a built index lives in ordinary memory."""

    def drop_locator(self) -> None:
        """Forget the locate index (once saved: the rest of a preparation needs the memory)."""
        self._locator = None

    def national_pixels(self) -> np.ndarray:
        """The commune outline index under each pixel of :mod:`geo.territory.raster`'s picture
        (-1 outside)."""
        lat, lon = pixel_centres()
        index = self.locator().locate(lon.ravel(), lat.ravel())
        return index.astype(np.int32).reshape(lat.shape)

    def points(self) -> pd.DataFrame:
        if self._points is None:
            self._points = representative_points(self.display("commune"))
        return self._points


def _subset(frame: gpd.GeoDataFrame, codes: Collection[str] | None) -> gpd.GeoDataFrame:
    if codes is None:
        return frame
    return frame[frame["code"].isin(set(codes))].reset_index(drop=True)
