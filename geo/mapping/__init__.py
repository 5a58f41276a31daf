"""Folium map layers, never Streamlit: base map and tiles with their offline fallback
(:mod:`.base`), the projects layer and legend (:mod:`.projects`), dataset overlays
(:mod:`.overlays`), choropleths (:mod:`.choropleth`), the view tracked in the browser
(:mod:`.view`), shared elements (:mod:`.elements`) and Leaflet served by the app itself
(:mod:`.assets`).

Every text from data is escaped here before it reaches Leaflet. May import ``geo.errors``,
``geo.settings``, ``geo.text`` and the dataset catalogue (titles, colours, aggregates); it
receives frames and outlines, it never loads them.
"""
