"""Restricted-party screening of an input batch: every name column matched against the lists.

``screen_parties_batch`` turns an input batch into HITS rows, one per (input row, name column,
matched entry), with the matcher of :mod:`bulkscreen.matching`; the screens decide what a match
means (:mod:`bulkscreen.decide`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bulkscreen.arrays import list_parents
from bulkscreen.columns import ENTITY_TYPE_WORDS, HITS
from bulkscreen.config import RunConfig
from bulkscreen.errors import ConfigError, InputSchemaError, Location
from bulkscreen.lists.name_index import NameIndex
from bulkscreen.matching.cache import MatchCache
from bulkscreen.matching.match import as_string_array, match_names

MATCH_SAME_TOKENS = "same tokens"
"""``match_basis`` of a party finding whose normalised names have the same tokens."""
MATCH_FUZZY = "fuzzy"
"""``match_basis`` of any other party finding: a person must confirm it."""

RECORD_KEY_COLUMNS = ("record_id", "shipment_id", "person_id")

EvidenceValue = str | int | date
"""A value given for every name (a country, an entity type, a date or year of birth)."""


@dataclass(frozen=True)
class PartyEvidence:
    """What is known about the parties of each name column, besides their names.

    Each field maps a name column to where its evidence comes from: another input column
    (``*_columns``), or one value for every row (resolved: alpha-2 codes, entity types of
    ``ENTITY_TYPES``, years). Build it with :func:`party_evidence`, which checks the values.
    """

    country_columns: Mapping[str, str] = field(default_factory=dict)
    entity_type_columns: Mapping[str, str] = field(default_factory=dict)
    birth_columns: Mapping[str, str] = field(default_factory=dict)
    countries: Mapping[str, str] = field(default_factory=dict)
    entity_types: Mapping[str, str] = field(default_factory=dict)
    birth_years: Mapping[str, int] = field(default_factory=dict)

    def as_manifest(self) -> dict[str, dict[str, str | int]]:
        """The evidence as the run's manifest records it: only the kinds given."""
        fields = {"country_columns": self.country_columns,
                  "entity_type_columns": self.entity_type_columns,
                  "birth_columns": self.birth_columns, "countries": self.countries,
                  "entity_types": self.entity_types, "birth_years": self.birth_years}
        return {key: dict(value) for key, value in fields.items() if value}

    def input_columns(self) -> list[str]:
        """Columns of the input that hold evidence, each once."""
        return list(dict.fromkeys([*self.country_columns.values(),
                                   *self.entity_type_columns.values(),
                                   *self.birth_columns.values()]))


def resolve_country(value: str, option: str = "--country") -> str:
    """Return the alpha-2 code of a country code or name, or raise naming the nearest names.

    Parameters
    ----------
    value
        An ISO 3166-1 alpha-2 or alpha-3 code, or a country name ("Iran", "Russian
        Federation", "Korea, Democratic People's Republic of", "North Korea").
    option
        The option or argument the value came from, for the message.

    Returns
    -------
    str
        Upper-case alpha-2 code.

    Raises
    ------
    ConfigError
        The value is neither; the fix names the nearest real country names.
    """
    from bulkscreen.lists.countries import country_code, nearest_countries, one_of

    code = country_code(value)
    if code is not None:
        return code
    nearest = nearest_countries(value)
    raise ConfigError(
        f"{option} {value!r} is neither an ISO 3166-1 country code nor a country name known here",
        hint=(f"did you mean {one_of(nearest)}?" if nearest else
              "write an ISO 3166-1 code such as 'IR' or a name such as 'Iran'"))


def resolve_entity_type(value: str, option: str = "--entity-type") -> str:
    """Return the entity type a word names (``organization`` -> ``organisation``), or raise."""
    found = ENTITY_TYPE_WORDS.get(value.strip().lower())
    if found is None:
        raise ConfigError(f"{option} {value!r} is not an entity type",
                          hint=f"write one of {', '.join(ENTITY_TYPE_WORDS)}")
    return found


def resolve_birth_year(value: EvidenceValue, option: str = "--birth-date") -> int:
    """Return the year of a date of birth or a year of birth, or raise."""
    from bulkscreen.io.validate import BIRTH_YEARS, birth_year

    year = birth_year(value)
    if year is None:
        low, high = BIRTH_YEARS
        raise ConfigError(f"{option} {str(value)!r} is neither a date nor a year of birth",
                          hint=f"write YYYY-MM-DD (1978-06-01) or YYYY (1978), a year from "
                          f"{low} to {high}")
    return year


def party_evidence(name_columns: list[str], *,
                   countries: tuple[str | None, Mapping[str, str]] = (None, {}),
                   entity_types: tuple[str | None, Mapping[str, str]] = (None, {}),
                   birth_dates: tuple[EvidenceValue | None,
                                      Mapping[str, str | EvidenceValue]] = (None, {}),
                   ) -> PartyEvidence:
    """Check and resolve the evidence options of ``screen parties``.

    Parameters
    ----------
    name_columns
        The ``--name`` columns.
    countries, entity_types, birth_dates
        Each a pair: the value for every name column (or None), and name column -> what
        holds that column's evidence, which overrides it. A mapped country is always a
        column; a mapped entity type is a value when it is an entity-type word
        (``person``, ``organization``...) and a column otherwise; a mapped birth date is a
        value when it is not text (a ``date`` or an ``int``), and a column otherwise.

    Returns
    -------
    PartyEvidence

    Raises
    ------
    ConfigError
        A mapping names a column that is not a name column, or a value is not a country,
        entity type, or date or year of birth.
    """
    options = {"--country": countries, "--entity-type": entity_types,
               "--birth-date": birth_dates}
    for option, (_, mapping) in options.items():
        unpaired = [name for name in mapping if name not in name_columns]
        if unpaired:
            raise ConfigError(f"{option} names {unpaired[0]!r}, which is not a --name column",
                              hint=f"write {option} NAME_COLUMN=COLUMN with a column also "
                              "given as --name: " + ", ".join(name_columns))
    country, country_map = countries
    entity, entity_map = entity_types
    birth, birth_map = birth_dates
    values: dict[str, dict] = {"country": {}, "entity": {}, "birth": {}}
    if country is not None:
        code = resolve_country(country)
        values["country"] = {n: code for n in name_columns if n not in country_map}
    if entity is not None:
        kind = resolve_entity_type(entity)
        values["entity"] = {n: kind for n in name_columns if n not in entity_map}
    if birth is not None:
        year = resolve_birth_year(birth)
        values["birth"] = {n: year for n in name_columns if n not in birth_map}
    entity_columns = {}
    for name, source in entity_map.items():
        if source.strip().lower() in ENTITY_TYPE_WORDS:
            values["entity"][name] = resolve_entity_type(source)
        else:
            entity_columns[name] = source
    birth_columns = {}
    for name, source in birth_map.items():
        if isinstance(source, str):
            birth_columns[name] = source
        else:
            values["birth"][name] = resolve_birth_year(source, f"--birth-date {name}=")
    return PartyEvidence(dict(country_map), entity_columns, birth_columns,
                         values["country"], values["entity"], values["birth"])


def _record_key_column(batch: pa.RecordBatch) -> str:
    for name in RECORD_KEY_COLUMNS:
        if name in batch.schema.names:
            return name
    raise InputSchemaError(
        "the batch has no record key column", Location(column="record_id"),
        f"provide one of {', '.join(RECORD_KEY_COLUMNS)} (the input's key column)")


def _flatten_names(column: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Names of a string or list-of-strings column, with the batch row of each name."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
        parents, _, flat = list_parents(column)
        return as_string_array(flat), parents
    return as_string_array(column), np.arange(len(column), dtype=np.int64)


def _name_evidence(batch: pa.RecordBatch, column: str, at_parent: pa.Array,
                   country_columns: Mapping[str, str], evidence: PartyEvidence
                   ) -> tuple[pa.Array | None, pa.Array | None, pa.Array | None]:
    """Country, year of birth and entity type of every name of ``column`` (or None)."""
    names = batch.schema.names

    def of(columns: Mapping[str, str], values: Mapping, arrow_type: pa.DataType,
           implied: str) -> pa.Array | None:
        if column in columns:
            return batch.column(columns[column]).cast(arrow_type).take(at_parent)
        if column in values:
            return pa.repeat(pa.scalar(values[column], arrow_type), len(at_parent))
        # A persons batch (screen persons): its names are persons born in date_of_birth.
        if implied == "person" and "person_id" in names:
            return pa.repeat(pa.scalar("person"), len(at_parent))
        if implied == "date_of_birth" and implied in names:
            return pc.year(batch.column(implied)).take(at_parent)
        return None

    return (of(country_columns, evidence.countries, pa.string(), ""),
            of(evidence.birth_columns, evidence.birth_years, pa.int64(), "date_of_birth"),
            of(evidence.entity_type_columns, evidence.entity_types, pa.string(), "person"))


def screen_parties_batch(  # noqa: PLR0913 - a batch, its data, and where its evidence is
        batch: pa.RecordBatch, index: NameIndex, config: RunConfig, name_columns: list[str],
        country_columns: Mapping[str, str] | None, as_of: date,
        cache: MatchCache | None = None, evidence: PartyEvidence | None = None
        ) -> pa.RecordBatch:
    """Screen every name column of a batch; return HITS rows (a pure function).

    Parameters
    ----------
    batch
        Input rows with ``input_row`` (int64), a key column (``record_id``, ``shipment_id``
        or ``person_id``) and the name columns (strings, or lists of strings such as a
        person's aliases).
    index
        Compiled list names.
    config
        Run configuration; ``config.match`` holds thresholds and ``top_k``.
    name_columns
        Columns holding names to screen.
    country_columns
        Name column -> column with that party's country (evidence), where there is one.
    as_of
        Date the rows are judged on.
    cache
        The run's :class:`~bulkscreen.matching.cache.MatchCache` for ``index``: queries seen
        in earlier batches are answered from it (the same rows).
    evidence
        Further evidence per name column (``screen parties --country``, ``--entity-type``,
        ``--birth-date``): its columns hold alpha-2 codes, entity types and int64 years.
        Where it says nothing of a name column, a ``person_id`` batch's names are persons
        and its ``date_of_birth`` gives their year of birth.

    Returns
    -------
    pyarrow.RecordBatch
        HITS schema; finding ``party``, decision ``REVIEW`` (the rules layer decides
        licence or prohibition), reason ``PARTY_HIT`` at or above the hit threshold and
        ``PARTY_NEAR_MATCH`` in the review band. Ordered by batch row, column, rank.
    """
    evidence = evidence or PartyEvidence()
    country_columns = {**(country_columns or {}), **evidence.country_columns}
    for column in ["input_row", *name_columns, *country_columns.values(),
                   *evidence.input_columns()]:
        if column not in batch.schema.names:
            raise InputSchemaError(f"column {column!r} is missing from the batch",
                                   Location(column=column),
                                   "map it with column_map or add it to the input file")
    key_column = _record_key_column(batch)
    input_row = batch.column("input_row").to_numpy(zero_copy_only=False)
    record_id = batch.column(key_column).cast(pa.string())
    hit_threshold = f"{config.match.hit_threshold:.2f}"
    review_threshold = f"{config.match.review_threshold:.2f}"
    parts = []
    for order, column in enumerate(name_columns):
        names, parent = _flatten_names(batch.column(column))
        countries, birth_years, entity_types = _name_evidence(
            batch, column, pa.array(parent), country_columns, evidence)
        matches = (cache.match if cache is not None else match_names)(
            index, names, config.match, countries=countries, birth_years=birth_years,
            entity_types=entity_types)
        if matches.num_rows == 0:
            continue
        positions = matches.column("query_pos").to_numpy()
        rows = parent[positions]
        n_rows = len(rows)
        hit = matches.column("is_hit")
        parts.append(pa.table({
            "input_row": pa.array(input_row[rows], pa.int64()),
            "record_id": record_id.take(pa.array(rows)),
            "as_of_date": pa.repeat(pa.scalar(as_of, pa.date32()), n_rows),
            "finding": pa.repeat(pa.scalar("party"), n_rows),
            "decision": pa.repeat(pa.scalar("REVIEW"), n_rows),
            "reason_code": pc.if_else(hit, "PARTY_HIT", "PARTY_NEAR_MATCH"),
            "field": pa.repeat(pa.scalar(column), n_rows),
            "query_value": names.take(pa.array(positions)),
            "list_id": matches.column("list_id"), "list_version": matches.column("list_version"),
            "entry_id": matches.column("entry_id"), "matched_name": matches.column("matched_name"),
            "alias_kind": matches.column("alias_kind"), "score": matches.column("score"),
            "features": matches.column("features"),
            "match_basis": pc.if_else(matches.column("same_tokens"), MATCH_SAME_TOKENS,
                                      MATCH_FUZZY),
            "threshold": pc.if_else(hit, hit_threshold, review_threshold),
            "explanation": matches.column("explanation"),
            "_row": pa.array(rows), "_column": pa.repeat(pa.scalar(order, pa.int32()), n_rows),
            "_rank": pa.array(np.arange(n_rows), pa.int64()),
        }))
    schema = HITS.arrow_schema()
    if not parts:
        return pa.RecordBatch.from_pylist([], schema=schema)
    table = pa.concat_tables(parts)
    table = table.take(pc.sort_indices(table, [("_row", "ascending"), ("_column", "ascending"),
                                               ("_rank", "ascending")]))
    columns = [table.column(f.name) if f.name in table.schema.names
               else pa.nulls(table.num_rows, f.type) for f in schema]
    return pa.Table.from_arrays(columns, schema=schema).combine_chunks().to_batches()[0]
