"""Workshop mode without Streamlit: tours of saved views and their presentation, the room's
short code and QR code, the participants' simplified form, the facilitator's exports.

Owns :mod:`.stops` (what a stop saves from the Explorer or a portrait, the presentation's
links and progress), :mod:`.room` (the participant's link and QR code, the idea a participant
sends, the ideas as the room's map draws them) and :mod:`.export` (a session's ideas as CSV
or GeoJSON in the projects' exchange format). The tours and sessions themselves are stored by
:mod:`geo.store.tours` and :mod:`geo.store.workshops`.
"""
