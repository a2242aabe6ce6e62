"""The district map on the page: an ECharts widget that registers the district's polygons first.

`DistrictChart` is a `app.live.LiveChart` whose browser side
(``district_map.vue``) calls ``echarts.registerMap`` with the district's
GeoJSON before drawing, so ECharts can draw the real boundaries offline.
`DistrictMap` puts it on the page, on the session's `app.live.Board` as the
chart ``district``: each week's colours come with the other charts' data.
"""

from __future__ import annotations

import solara
import traitlets

from app import district_map, live
from app.session import Session


class DistrictChart(live.LiveChart):
    """A live chart that registers ``geojson`` as the ECharts map `district_map.MAP_NAME` before drawing."""

    template_file = (__file__, "district_map.vue")

    geojson = traitlets.Unicode("").tag(sync=True)
    map_name = traitlets.Unicode(district_map.MAP_NAME).tag(sync=True)


@solara.component
def DistrictMap(session: Session, colour_by: str, lang: str, revision: int, height: int = 520):
    """The map of a district from files, redrawn whole when language, colouring or settings change."""
    district = session.model.layout.district
    element = DistrictChart.element(geojson=district_map.geojson(district), attributes={"style": f"height: {height}px; width: 100%;", "class": "chart chart-district"})
    board = live.board(session)

    def attach():
        widget = solara.get_widget(element)
        board.attach("district", widget)
        return lambda: board.detach("district", widget)

    def refresh():
        board.lang = lang
        board.colour_by = colour_by
        board.push(session, only="district")

    solara.use_effect(attach, [])
    solara.use_effect(refresh, [lang, colour_by, revision])
