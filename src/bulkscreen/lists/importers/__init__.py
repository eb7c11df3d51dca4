"""Importers: one per source format, each turning a list version's files into entries.

An importer is a function ``read(version, catalog) -> Iterable[Entry]``; the catalog lets a
version join files of another version (a partial OFAC vintage, the SDN history).
``IMPORTER_VERSION`` is part of the snapshot cache key: raise it whenever any importer's output
changes.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable

from bulkscreen.errors import ListDataError, Location
from bulkscreen.lists.catalog import Catalog, ListVersion
from bulkscreen.lists.records import Entry

IMPORTER_VERSION = "2"

# format name -> module holding its ``read`` function (imported only when used)
FORMATS = {
    "ofac-legacy-csv": "ofac",
    "ofac-legacy-csv-partial": "ofac_partial",
    "ofac-sdn-history": "sdn_history",
    "un-xml": "un_xml",
    "bis-dpl": "bis_dpl",
    "csl-csv": "csl",
    "meti-eul-json": "meti_eul",
    "meti-tokutei-text": "meti_tokutei",
    "uk-ofsi-csv": "uk_ofsi",
    "user-table": "user_list",
}


def importer_for(version: ListVersion) -> Callable[[ListVersion, Catalog], Iterable[Entry]]:
    """Return the ``read`` function of the version's format."""
    module_name = FORMATS.get(version.format)
    if module_name is None:
        raise ListDataError(
            f"unknown list format {version.format!r}",
            Location(file=str(version.path / "source.toml"), column="importer.format"),
            hint="known formats: " + ", ".join(FORMATS))
    module = importlib.import_module(f"bulkscreen.lists.importers.{module_name}")
    return module.read
