"""Zones and the line of contact written as GIS files, the format chosen by extension.

GeoJSON is written as accord's own document (its `accord` member carries the
agreement, the line's measures and the notes on terms not drawn); GeoPackage,
FlatGeobuf and KML go through pyogrio (GDAL), one layer of lon/lat features,
nested properties (lists, mappings) as JSON text since those formats hold only
scalar fields.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape

# Extension -> GDAL driver; None: accord's own GeoJSON writer.
FORMATS: dict[str, str | None] = {
    ".geojson": None,
    ".json": None,
    ".gpkg": "GPKG",
    ".fgb": "FlatGeobuf",
    ".kml": "KML",
}
CRS = "EPSG:4326"
LAYER = "zones"


def format_for(path: str | Path) -> str | None:
    """The driver for a file name, or a ValueError naming the extension and the ones allowed."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        allowed = ", ".join(FORMATS)
        raise ValueError(
            f"{path}: cannot write '{suffix or '(no extension)'}'; use one of {allowed}"
        )
    return FORMATS[suffix]


def _column(values: list[Any]) -> np.ndarray:
    """One field: numbers as float (missing as NaN, written as null), anything else as
    text, with lists and mappings as JSON."""
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return np.array([math.nan if v is None else float(v) for v in values])
    text = [
        None if v is None else v if isinstance(v, str) else json.dumps(v, sort_keys=True)
        for v in values
    ]
    return np.array(text, dtype=object)


def write_collection(collection: dict[str, Any], path: str | Path) -> None:
    """Write a GeoJSON FeatureCollection (lon/lat) to `path` in the format its extension names."""
    driver = format_for(path)
    if driver is None:
        Path(path).write_text(json.dumps(collection), encoding="utf-8")
        return
    import pyogrio.errors

    features = collection["features"]
    if not features:
        raise ValueError(f"{path}: nothing to write (no features)")
    names = list(dict.fromkeys(k for f in features for k in f["properties"]))
    fields = [_column([f["properties"].get(k) for f in features]) for k in names]
    geometry = shapely.to_wkb([shape(f["geometry"]) for f in features])
    try:
        _write(path, driver, geometry, fields, names)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise OSError(f"{path}: could not write {driver}: {exc}") from None


def _write(
    path: str | Path, driver: str, geometry: Any, fields: list[np.ndarray], names: list[str]
) -> None:
    import pyogrio.raw

    pyogrio.raw.write(
        str(path),
        geometry,
        fields,
        names,
        layer=LAYER,
        driver=driver,
        geometry_type="Unknown",
        crs=CRS,
        # KML shows a placemark's name: the term the zone comes from.
        **({"dataset_options": {"NameField": "term"}} if driver == "KML" else {}),
    )
