"""The Explorer page's logic without Streamlit: its URL state (:mod:`.state`), the selection
of projects (:mod:`.selection`: filter, sort, distances, clicks), its choropleth indicators
(:mod:`.choropleth`) and the export of the selection (:mod:`.export`).

May import every domain package (territory, datasets, indicators, projects, store, mapping);
only ``pages/`` and ``ui/`` import it.
"""
