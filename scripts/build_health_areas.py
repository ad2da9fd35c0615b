"""Build the approximate health-area map shipped with Kènèya (data preparation, not runtime).

There is no open dataset of Bamako's health-area boundaries. This script draws approximate ones:
the Voronoi cells of the CSCom points, clipped to an approximate outline of the commune (the
convex hull of the demo's quartier centres, widened by about 700 m). Every feature says it is
approximate ("approximatives") and where it comes from. shapely is a development dependency.

    .venv/bin/python scripts/build_health_areas.py
    # writes keneya/indicators/static/indicators/health_areas.geojson
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from shapely.geometry import MultiPoint, Point, mapping
from shapely.ops import voronoi_diagram

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keneya.settings")
django.setup()

from keneya.demo.district import COMMUNE_CODE, HEALTH_AREAS  # noqa: E402

OUT = ROOT / "keneya" / "indicators" / "static" / "indicators" / "health_areas.geojson"
BUFFER_DEGREES = 0.0065  # about 700 m at Bamako's latitude
PROVENANCE = (
    "Aires de santé approximatives : cellules de Voronoï des CSCom (position du quartier qui donne "
    "son nom au CSCom, keneya/demo/district.py), découpées par un contour approximatif de la "
    "commune IV (enveloppe convexe des centres de quartier élargie d'environ 700 m). Aucun jeu de "
    "données ouvert des limites des aires de santé de Bamako n'existe ; ne pas utiliser pour "
    "mesurer des distances ou des surfaces. Construit par scripts/build_health_areas.py (shapely)."
)


def _rounded(geometry: dict) -> dict:
    def walk(value: object) -> object:
        if isinstance(value, float):
            return round(value, 5)
        if isinstance(value, list | tuple):
            return [walk(v) for v in value]
        return value

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def build() -> dict:
    quartiers = [Point(q.lon, q.lat) for ha in HEALTH_AREAS for q in ha.quartiers]
    outline = MultiPoint(quartiers).convex_hull.buffer(BUFFER_DEGREES, quad_segs=4)
    sites = {ha.code: Point(ha.quartiers[0].lon, ha.quartiers[0].lat) for ha in HEALTH_AREAS}
    cells = voronoi_diagram(MultiPoint(list(sites.values())), envelope=outline.envelope.buffer(0.05))
    features = []
    for ha in HEALTH_AREAS:
        site = sites[ha.code]
        cell = next(c for c in cells.geoms if c.contains(site))
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "code": ha.code,
                    "name": ha.name,
                    "cscom": ha.facility_code,
                    "cscom_name": ha.facility_name,
                    "approximative": True,
                },
                "geometry": _rounded(mapping(cell.intersection(outline))),
            }
        )
    return {
        "type": "FeatureCollection",
        "name": "Aires de santé (approximatives)",
        "provenance": PROVENANCE,
        "commune": {
            "type": "Feature",
            "properties": {
                "code": COMMUNE_CODE,
                "name": "Commune IV (contour approximatif)",
                "approximative": True,
            },
            "geometry": _rounded(mapping(outline)),
        },
        "features": features,
    }


if __name__ == "__main__":
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(build(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)} écrit.")
