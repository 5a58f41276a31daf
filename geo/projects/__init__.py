"""Projects — local initiatives and communs: the model and everything that reads or writes them
as files.

Owns :mod:`.model` (pydantic model, vocabularies, French validation messages), :mod:`.exchange`
(the CSV/GeoJSON/GeoPackage field names), :mod:`.readers`, :mod:`.importer`,
:mod:`.exporter`, :mod:`.placement` (a row placed by its commune name) and :mod:`.demo` (the
example projects). The model imports only ``geo.errors``, ``geo.settings`` and ``geo.text``;
import, export and placement may also use ``geo.territory`` and ``geo.store``.
"""
