"""People and process around the projects: the actor and commun pages' logic without
Streamlit (:mod:`.pages`) and the import of communs from a Fabrique wiki (:mod:`.wiki`).

The actors and communs themselves are validated by :mod:`geo.projects.entities` and stored by
:mod:`geo.store.actors` and :mod:`geo.store.communs`.
"""
