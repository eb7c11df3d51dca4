"""The runs behind the screening commands: load the data once, bind the job, hand both to an engine.

Each ``run_*`` function loads the compiled data its command needs (:mod:`bulkscreen.run.data`),
binds it to the command's per-batch job (:mod:`bulkscreen.run.jobs`), describes the run as a
:class:`~bulkscreen.run.spec.RunSpec` and passes spec and job to ``engine`` (the local batch
loop by default; see :mod:`bulkscreen.engines`). The engine is passed in, never picked here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from bulkscreen.columns import AUDIT_RESULTS, PERSONS, SHIPMENTS, Column, Table
from bulkscreen.config import RunConfig
from bulkscreen.engines.local import use_lean_memory_pool
from bulkscreen.io.validate import (
    BIRTH_TEXT_FORM,
    COUNTRY_TEXT_FORM,
    ENTITY_TYPE_TEXT_FORM,
    NAME_TEXT_FORM,
)
from bulkscreen.run import jobs
from bulkscreen.run.data import load_audit_data, load_screening_data
from bulkscreen.run.spec import RunSpec, RunSummary, ScreenBatch
from bulkscreen.screen.parties import PartyEvidence

if TYPE_CHECKING:
    from bulkscreen.engines import Engine

RunOption = bool | str | None
"""Type of the :class:`RunSpec` options a runner passes on: ``fmt``, ``overwrite``, ``progress``."""


def parties_table(name_columns: list[str], country_columns: Mapping[str, str],
                  evidence: PartyEvidence | None = None) -> Table:
    """The input format of ``screen parties``: a key, the name columns and their evidence.

    ``country_columns`` are the country columns of the name columns; ``evidence`` may add
    more country columns, entity-type columns and date-or-year-of-birth columns.
    """
    evidence = evidence or PartyEvidence()
    cols = [Column("record_id", pa.string(), "Key of the row (default: its row number).")]
    cols += [Column(name, pa.string(), "Name to screen.", in_header=True,
                    text_form=NAME_TEXT_FORM)
             for name in name_columns]
    taken = set(name_columns)
    kinds = [
        (country_columns.values(), pa.string(), "Country of a screened party, ISO 3166-1 "
         "alpha-2.", COUNTRY_TEXT_FORM),
        (evidence.country_columns.values(), pa.string(), "Country of a screened party, "
         "ISO 3166-1 alpha-2.", COUNTRY_TEXT_FORM),
        (evidence.entity_type_columns.values(), pa.string(), "Entity type of a screened "
         "party: person, organisation, vessel or aircraft.", ENTITY_TYPE_TEXT_FORM),
        (evidence.birth_columns.values(), pa.int64(), "Year of birth of a screened person "
         "(from a date or a year).", BIRTH_TEXT_FORM),
    ]
    for columns, arrow_type, meaning, text_form in kinds:
        for column in columns:
            if column in taken:
                continue
            taken.add(column)
            cols.append(Column(column, arrow_type, meaning, text_form=text_form,
                               in_header=True))
    return Table(name="parties", description="Rows with names to screen.", columns=tuple(cols))


KEY_COLUMNS = {
    "shipments": ("consignee_name", "end_user_name", "destination_country", "shipment_date"),
    "persons": ("full_name", "nationalities"),
}
"""Input columns each results file carries beside the decision (besides record_id)."""


def keyed(job: ScreenBatch, table: Table, results_table: Table,
          names: tuple[str, ...]) -> tuple[ScreenBatch, Table]:
    """The job and results format that carry the input columns ``names`` into the results.

    A name that is already a results column (``decision``, say) is carried as
    ``input_<name>``.
    """
    taken = set(results_table.names)
    keys = tuple((name, f"input_{name}" if name in taken else name)
                 for name in dict.fromkeys(names) if name != "record_id")
    extra = tuple(Column(target, table.column(source).type,
                         f"From the input: {table.column(source).meaning}")
                  for source, target in keys)
    carried = Table(name=results_table.name, description=results_table.description,
                    key=results_table.key, version=results_table.version,
                    columns=(*results_table.columns, *extra))
    return functools.partial(jobs.keyed_job, job=job, keys=keys), carried


def _run(spec: RunSpec, job: ScreenBatch, engine: Engine | None) -> RunSummary:
    if engine is None:
        from bulkscreen.engines import LocalEngine

        engine = LocalEngine()
    names = KEY_COLUMNS.get(spec.table.name) or tuple(
        c.name for c in spec.table.columns if c.name != "record_id")
    job, results_table = keyed(job, spec.table, spec.results_table, names)
    return engine.run(dataclasses.replace(spec, results_table=results_table), job)


def run_parties(  # noqa: PLR0913 - the arguments of ``bulkscreen screen parties``
        input_path: Path, out_dir: Path, config: RunConfig, name_columns: list[str],
        id_column: str | None, evidence: PartyEvidence | Mapping[str, str], as_of: dt.date,
        engine: Engine | None = None, **options: RunOption) -> RunSummary:
    """Screen names in any columns of a file; see ``bulkscreen screen parties``.

    ``evidence`` is a :class:`~bulkscreen.screen.parties.PartyEvidence`
    (:func:`~bulkscreen.screen.parties.party_evidence`), or just name column -> country
    column. ``options`` are the :class:`RunSpec` fields ``fmt``, ``overwrite`` and
    ``progress``.
    """
    if not isinstance(evidence, PartyEvidence):
        evidence = PartyEvidence(country_columns=dict(evidence))
    if id_column:
        config = config.model_copy(update={"column_map": {**config.column_map,
                                                          "record_id": id_column}})
    data = load_screening_data(config, as_of)
    job = functools.partial(jobs.parties_job, data=data, config=config,
                            name_columns=name_columns, evidence=evidence, as_of=as_of)
    fields = data.spec_fields()
    # What the rows were matched with besides their names, for whoever reads the run later.
    fields["extra"]["party_evidence"] = evidence.as_manifest()
    spec = RunSpec(Path(input_path), Path(out_dir), config,
                   parties_table(name_columns, {}, evidence), **fields, **options)
    return _run(spec, job, engine)


def run_shipments(input_path: Path, out_dir: Path, config: RunConfig, as_of: dt.date,
                  engine: Engine | None = None, **options: RunOption) -> RunSummary:
    """Screen shipment lines as of one date; see ``bulkscreen screen shipments``."""
    use_lean_memory_pool()  # before loading: the lists and indexes are Arrow too
    data = load_screening_data(config, as_of, with_rules=True)
    job = functools.partial(jobs.shipments_job, data=data, config=config, as_of=as_of)
    spec = RunSpec(Path(input_path), Path(out_dir), config, SHIPMENTS, **data.spec_fields(),
                   **options)
    return _run(spec, job, engine)


def run_persons(input_path: Path, out_dir: Path, config: RunConfig, as_of: dt.date,
                engine: Engine | None = None, **options: RunOption) -> RunSummary:
    """Screen persons as of one date; see ``bulkscreen screen persons``."""
    from bulkscreen.screen.persons import ALGORITHM_ID

    data = load_screening_data(config, as_of, with_entry_notes=True)
    data.algorithms["persons"] = ALGORITHM_ID
    from bulkscreen.rules.deemed import deemed_rules_catalog
    from bulkscreen.rules.technology import REGIME, technology_catalog

    # The manifest names the deemed-export rules and the technology list behind the findings.
    data.rule_versions = [*deemed_rules_catalog(), *(
        {"regime": REGIME, "version": v.version, "sha256": v.sha256}
        for v in technology_catalog())]
    job = functools.partial(jobs.persons_job, data=data, config=config, as_of=as_of)
    spec = RunSpec(Path(input_path), Path(out_dir), config, PERSONS, **data.spec_fields(),
                   **options)
    return _run(spec, job, engine)


def run_audit(input_path: Path, out_dir: Path, config: RunConfig, today: dt.date,
              engine: Engine | None = None, **options: RunOption) -> RunSummary:
    """Audit shipment history on each line's own date and today; see ``bulkscreen audit``."""
    use_lean_memory_pool()  # before loading: the lists and indexes are Arrow too
    data = load_audit_data(config, today)
    job = functools.partial(jobs.audit_job, data=data, config=config)
    spec = RunSpec(Path(input_path), Path(out_dir), config, SHIPMENTS, **data.spec_fields(),
                   results_table=AUDIT_RESULTS, **options)
    return _run(spec, job, engine)
