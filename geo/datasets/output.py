"""Write a normalised dataset frame: GeoParquet, GeoJSON, or CSV with ``lat``/``lon`` columns
(``wkt`` for lines).

In CSV, a text cell starting with ``= + - @``, a tab or a carriage return gets a leading ``'``
(:func:`geo.text.spreadsheet_text`): a spreadsheet shows it as text, never runs it.

Files are written next to their destination and renamed into place, so an interrupted export
never leaves half a file under the final name.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.errors import OutputFormatError
from geo.sources.download import replace, temp_file
from geo.text import spreadsheet_text

FORMATS = {".parquet": "GeoParquet", ".geojson": "GeoJSON", ".csv": "CSV"}


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as ISO text and nullable values as ``None``: what GeoJSON and CSV can hold."""
    out = frame.copy()
    for name in out.columns:
        if name == "geometry":
            continue
        dtype = out[name].dtype
        if isinstance(dtype, pd.ArrowDtype) or str(dtype).startswith(("date", "datetime")):
            out[name] = (
                out[name]
                .astype(object)
                .map(lambda value: None if value is None or pd.isna(value) else value.isoformat())
            )
        elif str(dtype) in ("boolean", "Int64", "Float64", "str", "string"):
            values = out[name].astype(object)
            out[name] = values.where(values.notna(), None)
    return out


def write_frame(frame: gpd.GeoDataFrame, path: Path) -> Path:
    """Write ``frame`` in the format of ``path``'s extension (``.parquet``, ``.geojson``,
    ``.csv``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(FORMATS)
        msg = f"Format de sortie inconnu : {path.name} (extensions possibles : {known})."
        raise OutputFormatError(msg)
    with temp_file(path.parent, path.stem, suffix) as temp:
        if suffix == ".parquet":
            frame.to_parquet(temp)
        elif suffix == ".geojson":
            plain = gpd.GeoDataFrame(_plain(frame), geometry="geometry", crs=frame.crs)
            plain.to_file(temp, driver="GeoJSON", engine="pyogrio", layer=path.stem)
        else:
            table = _plain(pd.DataFrame(frame.drop(columns="geometry")))
            if (frame.geom_type.dropna() == "Point").all():
                table["lat"] = frame.geometry.y.round(7).to_numpy()
                table["lon"] = frame.geometry.x.round(7).to_numpy()
            else:  # lines (cycle lanes): no single lat/lon, the shape as WKT
                table["wkt"] = frame.geometry.to_wkt(rounding_precision=7).to_numpy()
            for name in table.columns:
                if table[name].dtype == object or str(table[name].dtype) in ("str", "string"):
                    table[name] = table[name].map(
                        lambda v: spreadsheet_text(v) if isinstance(v, str) else v
                    )
            # CRLF (RFC 4180) also makes the writer quote a cell holding a lone "\r".
            table.to_csv(temp, index=False, encoding="utf-8", lineterminator="\r\n")
        replace(temp, path)
    return path
