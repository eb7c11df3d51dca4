"""The catalog of list versions, read from each version folder's ``source.toml``.

A list version is a folder ``<root>/<list-id>/<version>/`` holding the source files exactly as
published plus ``source.toml`` (publisher, origin, licence, importer, sha256 of every file).
The catalog is derived from those files alone, so adding a version is adding a folder.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bulkscreen.errors import ConfigError, ListDataError, Location
from bulkscreen.io.paths import check_component, check_file_name, within

SOURCE_FILE = "source.toml"
_REQUIRED_KEYS = ("list_id", "version", "effective_date", "publisher", "title", "origin",
                  "licence", "importer", "files")


def file_sha256(path: Path) -> str:
    """Return the hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class ListVersion:
    """One version of one list: its folder, source metadata and the sha256 of its files."""

    list_id: str
    version: str
    path: Path
    effective_date: dt.date
    publisher: str
    title: str
    origin: str
    licence: str
    importer: dict[str, Any]
    files: dict[str, str]
    retrieved: str | None = None
    notes: str | None = None
    default_screening: bool = True
    expected: dict[str, int] = field(default_factory=dict)

    @property
    def format(self) -> str:
        """Name of the importer that reads this version (``[importer] format``)."""
        return str(self.importer["format"])

    @property
    def sha256(self) -> str:
        """Combined sha256 of the source files: sha256 over sorted ``name  sha256`` lines."""
        lines = "".join(f"{name}  {digest}\n" for name, digest in sorted(self.files.items()))
        return hashlib.sha256(lines.encode("utf-8")).hexdigest()

    @property
    def key(self) -> str:
        """``<list-id>/<version>``, the way other versions refer to this one."""
        return f"{self.list_id}/{self.version}"

    def file(self, name: str) -> Path:
        """Return the path of source file ``name``, which must be listed in ``source.toml``.

        Raises
        ------
        ListDataError
            If ``name`` is not listed, is not a plain file name, or leads (by a symlink)
            outside the version's folder.
        """
        where = Location(file=str(self.path / SOURCE_FILE))
        if name not in self.files:
            raise ListDataError(
                f"{name} is not a file of list version {self.key}", where,
                hint=f"add {name!r} with its sha256 under [files]",
            )
        check_file_name(name, "list file", where, ListDataError)
        return within(self.path, self.path / name, "list file", ListDataError)

    def verify(self) -> list[str]:
        """Return the problems with this version's files (empty when all sha256s match)."""
        problems = []
        present = {p.name for p in self.path.iterdir() if p.is_file() and p.name != SOURCE_FILE}
        for name, expected in sorted(self.files.items()):
            path = self.path / name
            if not path.is_file():
                problems.append(f"{self.key}: {name} is listed in {SOURCE_FILE} but missing")
            elif file_sha256(path) != expected:
                problems.append(f"{self.key}: {name} changed (sha256 differs from {SOURCE_FILE})")
        for name in sorted(present - set(self.files)):
            problems.append(f"{self.key}: {name} is not listed in {SOURCE_FILE}")
        return problems


def read_source(path: Path) -> ListVersion:
    """Read one ``source.toml`` into a :class:`ListVersion`.

    Raises
    ------
    ListDataError
        If the file is not valid TOML, lacks a key, or disagrees with its folder's name.
    """
    where = Location(file=str(path))
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ListDataError(f"not valid TOML: {exc}", where,
                            hint="fix the syntax of the source record") from exc
    missing = [key for key in _REQUIRED_KEYS if key not in doc]
    if missing:
        raise ListDataError(f"missing keys {missing}", where,
                            hint="every source.toml needs " + ", ".join(_REQUIRED_KEYS))
    if (doc["list_id"], doc["version"]) != (path.parent.parent.name, path.parent.name):
        raise ListDataError(
            f"names {doc['list_id']}/{doc['version']} but lies in "
            f"{path.parent.parent.name}/{path.parent.name}", where,
            hint="make list_id and version equal to the folder names")
    for name in doc["files"] if isinstance(doc["files"], dict) else ():
        check_file_name(name, "list file", Location(file=str(path), column="files"),
                        ListDataError)
    if not isinstance(doc["files"], dict) or not isinstance(doc["importer"], dict):
        raise ListDataError("[files] and [importer] must be tables", where,
                            hint="write [files] as name = \"sha256\" lines and [importer] "
                            "with format = ...")
    effective = doc["effective_date"]
    if isinstance(effective, str):
        try:
            effective = dt.date.fromisoformat(effective)
        except ValueError as exc:
            raise ListDataError(f"effective_date {effective!r} is not a date", where,
                                hint="write it as YYYY-MM-DD") from exc
    return ListVersion(
        list_id=doc["list_id"], version=doc["version"], path=path.parent,
        effective_date=effective, publisher=doc["publisher"], title=doc["title"],
        origin=doc["origin"], licence=doc["licence"], importer=dict(doc["importer"]),
        files=dict(doc["files"]), retrieved=doc.get("retrieved"), notes=doc.get("notes"),
        default_screening=bool(doc.get("default_screening", True)),
        expected=dict(doc.get("expected", {})),
    )


@dataclass(frozen=True)
class Catalog:
    """Every list id under a root folder and its versions, oldest first."""

    root: Path
    lists: dict[str, tuple[ListVersion, ...]]

    @classmethod
    def from_dir(cls, root: Path) -> Catalog:
        """Build the catalog from every ``<root>/<list-id>/<version>/source.toml``."""
        found: dict[str, list[ListVersion]] = {}
        for source in sorted(Path(root).glob(f"*/*/{SOURCE_FILE}")):
            if source.parent.name.startswith(".") or source.parent.parent.name.startswith("."):
                continue  # a version being staged or replaced, not yet published
            for name, what in ((source.parent.parent.name, "list id"),
                               (source.parent.name, "version")):
                try:
                    check_component(name, what, ListDataError)
                except ListDataError as exc:
                    raise ListDataError(exc.message, Location(file=str(source.parent)),
                                        hint=f"rename the folder: {exc.hint}") from None
            version = read_source(source)
            found.setdefault(version.list_id, []).append(version)
        ordered = {
            list_id: tuple(sorted(versions, key=lambda v: (v.effective_date, v.version)))
            for list_id, versions in sorted(found.items())
        }
        return cls(root=Path(root), lists=ordered)

    def merged(self, other: Catalog) -> Catalog:
        """Return a catalog with the versions of both; a version in both is an error."""
        lists = {list_id: list(versions) for list_id, versions in self.lists.items()}
        for list_id, versions in other.lists.items():
            known = {v.version for v in lists.get(list_id, [])}
            for version in versions:
                if version.version in known:
                    raise ListDataError(
                        f"list version {version.key} exists in two folders",
                        Location(file=str(version.path / SOURCE_FILE)),
                        hint="remove one copy, or give the user's list another list id")
                lists.setdefault(list_id, []).append(version)
        ordered = {
            list_id: tuple(sorted(versions, key=lambda v: (v.effective_date, v.version)))
            for list_id, versions in sorted(lists.items())
        }
        return Catalog(root=self.root, lists=ordered)

    def list_ids(self) -> list[str]:
        """Every list id, sorted."""
        return list(self.lists)

    def default_list_ids(self) -> list[str]:
        """List ids screened when none are named (``default_screening`` in source.toml)."""
        return [lid for lid, versions in self.lists.items() if versions[-1].default_screening]

    def versions(self, list_id: str) -> tuple[ListVersion, ...]:
        """Versions of ``list_id``, oldest first."""
        if list_id not in self.lists:
            raise ListDataError(
                f"unknown list {list_id!r}", Location(file=str(self.root)),
                hint="known lists: " + ", ".join(self.lists))
        return self.lists[list_id]

    def get(self, list_id: str, version: str | None = None) -> ListVersion:
        """Return one version of a list; ``None`` means the latest."""
        versions = self.versions(list_id)
        if version is None:
            return versions[-1]
        for candidate in versions:
            if candidate.version == version:
                return candidate
        raise ListDataError(
            f"list {list_id!r} has no version {version!r}", Location(file=str(self.root)),
            hint="known versions: " + ", ".join(v.version for v in versions))

    def resolve(self, key: str) -> ListVersion:
        """Return the version named ``<list-id>/<version>``."""
        list_id, _, version = key.partition("/")
        return self.get(list_id, version or None)

    def in_force(self, list_id: str, as_of: dt.date | None) -> ListVersion | None:
        """Return the latest version effective on or before ``as_of`` (None: latest)."""
        versions = self.versions(list_id)
        if as_of is None:
            return versions[-1]
        eligible = [v for v in versions if v.effective_date <= as_of]
        return eligible[-1] if eligible else None

    def verify(self) -> list[str]:
        """Return every sha256 problem of every version (empty when all is well)."""
        return [problem for versions in self.lists.values() for v in versions
                for problem in v.verify()]


def bundled_lists_dir() -> Path:
    """Return the folder of the bundled list versions."""
    from bulkscreen._data import datasets_dir

    return datasets_dir() / "lists"


USER_LISTS_ENV = "BULKSCREEN_LISTS_DIR"
USER_DATA_ENV = "BULKSCREEN_DATA_DIR"


def user_data_dir() -> Path:
    """Return the user's data folder: ``$BULKSCREEN_DATA_DIR`` or the platform's default.

    The default is ``platformdirs.user_data_dir("bulkscreen")``, e.g.
    ``~/.local/share/bulkscreen`` on Linux.
    """
    configured = os.environ.get(USER_DATA_ENV)
    if configured:
        return Path(configured)
    import platformdirs

    return Path(platformdirs.user_data_dir("bulkscreen", appauthor=False))


def user_lists_dirs() -> list[Path]:
    """Return the folders of the user's own lists.

    ``$BULKSCREEN_LISTS_DIR`` names them (several are separated like ``PATH`` entries);
    without it, the one folder is ``lists/`` in :func:`user_data_dir`. Each holds
    ``<list-id>/<version>/source.toml`` like the bundled lists (``bulkscreen lists import``
    writes them).
    """
    value = os.environ.get(USER_LISTS_ENV, "")
    named = [Path(part) for part in value.split(os.pathsep) if part]
    return named or [user_data_dir() / "lists"]


def import_root(data_dir: Path | None = None) -> Path:
    """Return the folder ``bulkscreen lists import`` writes into, never the installed package.

    Parameters
    ----------
    data_dir
        ``--data-dir`` when given; else the first of :func:`user_lists_dirs`.

    Raises
    ------
    ConfigError
        If the folder lies inside the installed ``bulkscreen`` package, where user data would
        be mixed with the bundled lists and lost on upgrade.
    """
    from bulkscreen.io.paths import check_no_nul

    root = Path(data_dir) if data_dir is not None else user_lists_dirs()[0]
    check_no_nul(root, "list folder")
    package = Path(__file__).resolve().parents[1]
    real = root.resolve()
    if real == package or package in real.parents:
        raise ConfigError(f"will not write user lists into the installed package ({root})",
                          Location(file=str(root)),
                          hint=f"give --data-dir or ${USER_LISTS_ENV} a folder of your own "
                          f"(default {user_data_dir() / 'lists'})")
    return root


def bundled_catalog() -> Catalog:
    """Return the catalog of every list id and its versions (sorted).

    The bundled lists, plus the user's own lists (:func:`user_lists_dirs`).

    Returns
    -------
    Catalog
        Versions carry their source metadata (publisher, licence, sha256 of every file) and
        a combined ``sha256`` for run manifests.
    """
    return _catalog_for(tuple(str(folder) for folder in user_lists_dirs()))


def refresh_catalog() -> None:
    """Forget the cached catalog, after a list version was added or removed."""
    _catalog_for.cache_clear()


@functools.cache
def _catalog_for(user_dirs: tuple[str, ...]) -> Catalog:
    catalog = Catalog.from_dir(bundled_lists_dir())
    for folder in user_dirs:
        catalog = catalog.merged(Catalog.from_dir(Path(folder)))
    return catalog
