"""The bundled law texts, the ordinance parser, quotes, references, dates and coverage."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import tomllib

import jsonschema
import numpy as np
import pytest
from click.testing import CliRunner

from bulkscreen._data import datasets_dir, schemas_dir
from bulkscreen.cli import cli
from bulkscreen.rules import compile_rules, load_rules
from bulkscreen.rules.catalog import to_day
from bulkscreen.rules.coverage import coverage
from bulkscreen.rules.ordinance import kanji_number, label_code, load_ordinance

VERSION = "2025-10-09-r3"
FOLDER = datasets_dir() / "rules" / "jp" / VERSION
_QUOTE_RE = re.compile(r"「([^「」]+)」")


@pytest.fixture(scope="module")
def ruleset():
    return load_rules(VERSION)


@pytest.fixture(scope="module")
def ordinance():
    return load_ordinance(FOLDER)


def _law_text() -> str:
    # The bundled texts and the excerpts of earlier revisions that superseded entries quote.
    return "\n".join(p.read_text(encoding="utf-8")
                     for p in sorted((FOLDER / "law").rglob("*.md")))


def test_bundled_law_copies_match_their_recorded_sha256():
    source = tomllib.loads((FOLDER / "source.toml").read_text(encoding="utf-8"))
    files = [s for s in source["source"] if "file" in s]
    assert {"law/goods-ordinance.md", "law/export-trade-control-order.md"} <= {
        s["file"] for s in files}
    for s in files:
        assert hashlib.sha256((FOLDER / s["file"]).read_bytes()).hexdigest() == s["sha256"]


@pytest.mark.parametrize(("text", "value"), [("六十二", 62), ("一〇", 10), ("十", 10),
                                             ("二十三", 23), ("百", 100)])
def test_kanji_numbers(text, value):
    assert kanji_number(text) == value


@pytest.mark.parametrize(("label", "code"), [("十四", "14"), ("（三）", "(3)"), ("４", "4"),
                                             ("イ", "イ"), ("十の二", "10の2")])
def test_labels_in_reference_form(label, code):
    assert label_code(label) == code


def test_parser_reads_articles_paragraphs_items_and_structure(ordinance):
    items = ordinance.items()
    assert items["1.14.イ"].quote.startswith("旋削をすることができる工作機械であって")
    assert items["1.14.イ"].requires_all  # 次の（一）及び（二）に該当するもの
    assert not items["1.14.ロ"].requires_all  # 次の（一）から（三）までのいずれか
    assert items["1.14.ロ.(4)"].exclusion and items["5.2.ヘ"].exclusion
    assert items["1.8.ロ"].requires_all  # 全てに該当, with いずれか only in its exclusion
    assert items["14.2.イ.(4)"].exclusion  # ただし、次のいずれかに該当するもの…を除く
    assert items["13-p3"].row == "14" and items["13-p3"].row_item == "(3)"
    assert items["2-p2.1"].row == "3" and items["2-p2.1"].row_item == "(2)"
    countable = {i.ref for i in ordinance.countable()}
    assert "1.14.イ" in countable and "1.14.イ.(1)" not in countable
    assert "1.14.ロ.(1)" in countable and "1.14.ロ.(4)" not in countable
    assert not any(items[r].deleted for r in countable)
    assert {i.row for i in ordinance.countable()} == {
        "2", "3", "3-2", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15"}


def test_every_quote_occurs_verbatim_in_the_bundled_text(ruleset):
    text = _law_text()
    checked = 0

    def conditions(tree):
        if tree[0] == "unknown":
            yield tree[1]
        elif tree[0] in ("all", "any"):
            for child in tree[1]:
                yield from conditions(child)

    for entry in ruleset.entries:
        quotes = [entry.quote] if entry.quote else []
        quotes += [q for t in conditions(entry.tree) for q in _QUOTE_RE.findall(t)]
        quotes += [q for t in entry.exclusions for q in _QUOTE_RE.findall(t) or [t]]
        for quote in quotes:
            assert quote in text, f"{entry.id}: {quote!r} is not in the bundled text"
            checked += 1
    assert checked >= len([e for e in ruleset.entries if e.ordinance])


def test_every_ordinance_reference_is_an_item_of_the_text(ruleset, ordinance):
    result = coverage(ruleset, ordinance=ordinance)
    assert result.unknown_refs == []
    items = ordinance.items()
    for entry in ruleset.entries:
        if entry.ordinance and entry.quote and entry.valid_to is None:
            assert entry.quote in items[entry.ordinance].full_text, entry.id


def test_entry_rows_follow_the_ordinance_articles(ruleset, ordinance):
    items = ordinance.items()
    for entry in ruleset.entries:
        if entry.ordinance:
            assert entry.row == items[entry.ordinance].row, entry.id


def test_rule_files_match_the_json_schema():
    schema = json.loads((schemas_dir() / "rules_control_list.v1.json").read_text("utf-8"))
    for path in [FOLDER / "control_list.toml", *sorted(FOLDER.glob("control_list_*.toml"))]:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        jsonschema.validate(_as_json(data), schema)
    for name in ("source", "destinations", "measures", "catch_all", "exemptions"):
        schema = json.loads((schemas_dir() / f"rules_{name}.v1.json").read_text("utf-8"))
        data = tomllib.loads((FOLDER / f"{name}.toml").read_text(encoding="utf-8"))
        jsonschema.validate(_as_json(data), schema)


def _as_json(value):
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def test_entries_in_force_by_day(ruleset):
    compiled = compile_rules(ruleset)
    dated = [i for i, e in enumerate(compiled.entries) if e.valid_from or e.valid_to]
    undated = [i for i, e in enumerate(compiled.entries) if not (e.valid_from or e.valid_to)]
    days = np.array([to_day(dt.date(2009, 1, 1)), to_day(dt.date(2030, 1, 1))], np.int32)
    mask = compiled.entries_in_force(days)
    assert mask.shape == (2, compiled.n_entries)
    assert mask[:, undated].all()
    for i in dated:
        entry = compiled.entries[i]
        for row, day in enumerate((dt.date(2009, 1, 1), dt.date(2030, 1, 1))):
            assert mask[row, i] == entry.in_force(day)


def test_cli_coverage_lists_rows_and_ends_with_the_total():
    result = CliRunner().invoke(cli, ["rules", "coverage"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert re.fullmatch(r"coverage: \d+ of \d+ items \(\d+\.\d%\)", lines[-1])
    rows = [line.split()[0] for line in lines[2:-2]]
    assert rows[:4] == ["2", "3", "3-2", "4"] and rows[-1] == "15"
    assert "is not in the text" not in result.output


def test_cli_rules_show_as_of_prints_the_entries_of_that_day():
    result = CliRunner().invoke(cli, ["rules", "show", "--as-of", "2019-08-28"])
    assert result.exit_code == 0, result.output
    assert f"rules jp/{VERSION}" in result.output
    assert "control entries in force:" in result.output


def test_committed_drafts_are_what_the_generator_writes(ruleset, ordinance):
    from bulkscreen.rules.draft import DRAFT_PREFIX, draft_entries

    drafts = draft_entries(ruleset, ordinance)
    committed = {p.name: p.read_text(encoding="utf-8")
                 for p in FOLDER.glob(f"{DRAFT_PREFIX}*.toml")}
    assert drafts == committed


def test_every_item_of_rows_2_to_15_is_encoded_one_way_or_the_other(ruleset, ordinance):
    result = coverage(ruleset, ordinance=ordinance)
    assert result.found > 1000
    assert result.encoded == result.found, [r.missing[:5] for r in result.rows if r.missing]
    assert all(r.found for r in result.rows)


def test_coverage_as_of_leaves_out_entries_not_yet_in_force(ruleset, ordinance):
    before = coverage(ruleset, dt.date(2023, 7, 22), ordinance)
    after = coverage(ruleset, dt.date(2023, 7, 23), ordinance)
    assert after.status["6.17.ヲ"] == 2
    assert before.status["6.17.ヲ"] < 2


def test_no_declared_code_is_a_bare_number(ruleset):
    # A bare "1" would also match every goods-ordinance reference of Article 1 ("1.7.ロ").
    for entry in ruleset.entries:
        assert not any(re.fullmatch(r"[0-9]+", code) for code in entry.declared), entry.id


def _column(day):
    from bulkscreen.rules.compile import classify

    line = {"inside_diameter": (400, "mm"), "length": (5, "m"),
            "operating_temperature": (-250, "degC"), "max_pressure": (0.4, "MPa"),
            "min_pressure": (200, "kPa")}
    return classify(compile_rules(load_rules(VERSION).on(day)), line)


def test_distillation_column_day_before_and_day_of_the_2025_05_28_revision():
    # 0.2-0.4 MPa reaches the 0.1-1 MPa range of the new text, not the 0.5-5 MPa of the old.
    before, of = _column(dt.date(2025, 5, 27)), _column(dt.date(2025, 5, 28))
    assert "0B004.b.3" not in before and before["0B004.b.3-2024"] == "NOT_MET"
    assert "0B004.b.3-2024" not in of and of["0B004.b.3"] == "UNKNOWN"  # material is a condition


def test_national_lithography_item_day_before_and_day_of(ruleset):
    from bulkscreen.rules.compile import classify

    line = {"wavelength": (193, "nm"), "numerical_aperture": (1.35, "1"),
            "overlay_accuracy": (2.0, "nm")}
    before = classify(compile_rules(ruleset.on(dt.date(2023, 7, 22))), line)
    of = classify(compile_rules(ruleset.on(dt.date(2023, 7, 23))), line)
    assert "7(17)-litho-193" not in before and before["3B001.f.1"] == "NOT_MET"
    assert "7(17)-litho-193-2023" not in before
    # The 2023 text has no overlay condition; the entry with it stands from 2024-09-08.
    assert of["7(17)-litho-193-2023"] == "MET" and "7(17)-litho-193" not in of


def test_cli_rules_show_prints_the_entry_text_of_the_day():
    before = CliRunner().invoke(cli, ["rules", "show", "--as-of", "2025-05-27"]).output
    after = CliRunner().invoke(cli, ["rules", "show", "--as-of", "2025-05-28"]).output
    assert "0B004.b.3 (cryogenic distillation columns), text until 2025-05-27" in before
    assert "text until 2025-05-27" not in after and "NSG 0B004.b.3 (cryogenic" in after
