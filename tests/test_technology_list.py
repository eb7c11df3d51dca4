"""The technology list: bundled law text, quotes, rows, coverage and the drafts that made it."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from bulkscreen.cli import cli
from bulkscreen.errors import RuleDataError
from bulkscreen.rules.coverage import coverage
from bulkscreen.rules.draft import draft_entries
from bulkscreen.rules.ordinance import TECHNOLOGY_ARTICLE_ROWS, load_ordinance
from bulkscreen.rules.technology import (
    load_technology,
    read_regime_numbers,
    technology_catalog,
)

_QUOTE_RE = re.compile(r"「([^「」]+)」")


@pytest.fixture(scope="module")
def tech():
    return load_technology(as_of=dt.date(2024, 6, 1))


@pytest.fixture(scope="module")
def ordinance(tech):
    return load_ordinance(Path(tech.folder), "technology")


def test_bundled_law_copy_matches_its_recorded_sha256(tech):
    folder = Path(tech.folder)
    files = [s for s in tech.sources if "file" in s]
    assert [s["file"] for s in files] == ["law/goods-ordinance.md"]
    assert hashlib.sha256((folder / files[0]["file"]).read_bytes()).hexdigest() \
        == files[0]["sha256"]


def test_technology_paragraphs_name_the_rows_of_their_articles(ordinance):
    # Each paragraph's first sentence names its row; it must agree with the article's row.
    for root in ordinance.roots:
        assert root.row == TECHNOLOGY_ARTICLE_ROWS[root.article], root.ref
    assert [r.row_item for r in ordinance.roots if r.article == "27"] == [
        "(1)", "(3)", "(4)", "(5)", "(5-2)", "(6)"]
    assert ordinance.row_order == ("2", "3", "3-2", *(str(n) for n in range(4, 16)))


def test_every_quote_occurs_verbatim_in_the_bundled_text(tech):
    text = (Path(tech.folder) / "law" / "goods-ordinance.md").read_text(encoding="utf-8")

    def conditions(tree):
        if tree[0] == "unknown":
            yield tree[1]
        elif tree[0] in ("all", "any"):
            for child in tree[1]:
                yield from conditions(child)

    checked = 0
    for entry in tech.entries:
        quotes = [entry.quote] if entry.quote else []
        quotes += [q.rstrip("…") for t in conditions(entry.tree) for q in _QUOTE_RE.findall(t)]
        for quote in quotes:
            assert quote in text, (entry.id, quote)
            checked += 1
    assert checked > 296


def test_every_row_1_to_15_has_entries_and_unquoted_ones_are_marked_verify(tech):
    rows = {e.row for e in tech.entries}
    assert rows == {*(str(n) for n in range(1, 16)), "3-2"}
    for entry in tech.entries:
        if not entry.ordinance:
            assert entry.verify and entry.note, entry.id


def test_coverage_is_complete_and_every_reference_is_in_the_text(tech, ordinance):
    result = coverage(tech, ordinance=ordinance)
    assert result.encoded == result.found == len(ordinance.countable()) > 250
    assert not result.unknown_refs
    assert [r.row for r in result.rows][:3] == ["2", "3", "3-2"]


def test_cli_coverage_technology_ends_with_the_total():
    result = CliRunner().invoke(cli, ["rules", "coverage", "--technology"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert "Articles 15-27" in lines[0]
    match = re.fullmatch(r"coverage: (\d+) of (\d+) items \((\d+\.\d)%\)", lines[-1])
    assert match and match[1] == match[2] and match[3] == "100.0"
    rows = [line.split()[0] for line in lines[2:-2]]
    assert rows[:3] == ["2", "3", "3-2"] and rows[-1] == "15"


def test_drafts_reproduce_the_committed_files(tech, ordinance):
    # The row files are what `rules draft --technology` writes: data and tooling agree.
    folder = Path(tech.folder)
    drafts = draft_entries(tech, ordinance, read_regime_numbers(folder))
    committed = {p.name: p.read_text(encoding="utf-8")
                 for p in folder.glob("technology_list_row*.toml")}
    assert drafts == committed


def test_regime_numbers_name_drafted_items_and_are_marked_verify(tech):
    numbers = read_regime_numbers(Path(tech.folder))
    assert numbers.verify
    by_ordinance = {e.ordinance: e for e in tech.entries}
    for ref, number in numbers.numbers.items():
        assert by_ordinance[ref].regime_number == number
        assert by_ordinance[ref].verify and "regime_numbers.toml" in by_ordinance[ref].note
    assert by_ordinance["22-p1.1"].regime_number == "6E001"
    assert by_ordinance["22-p1.1"].row == "10" and by_ordinance["22-p1.1"].item == "(1)"


def test_catalog_and_unknown_version(tmp_path):
    catalog = technology_catalog()
    assert catalog[0].version == "2026-02-14" and len(catalog[0].sha256) == 64
    # Any screening date gets a version: before the first, the first.
    assert load_technology(as_of=dt.date(2010, 1, 1)).version == catalog[0].version
    with pytest.raises(RuleDataError, match="2026-02-14"):
        load_technology("1999-01-01")


def test_bad_entry_file_names_the_file_and_key(tmp_path):
    folder = tmp_path / "2026-02-14"
    folder.mkdir()
    source = Path(load_technology().folder) / "source.toml"
    (folder / "source.toml").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "technology_list.toml").write_text(
        '[[entry]]\nid = "x"\nrow = "17"\nreference = "r"\ntitle = "t"\n'
        'when = { listed = "t" }\n', encoding="utf-8")
    with pytest.raises(RuleDataError, match="row '17'") as info:
        load_technology(root=tmp_path)
    assert "technology_list.toml" in info.value.render()
    (folder / "technology_list.toml").write_text('[[entry]]\nid = "x"\n', encoding="utf-8")
    with pytest.raises(RuleDataError, match="missing key 'when'"):
        load_technology(root=tmp_path)


def test_source_records_what_is_not_encoded(tech):
    data = tomllib.loads((Path(tech.folder) / "source.toml").read_text(encoding="utf-8"))
    assert data["version"] == tech.version
    assert len(tech.not_encoded) >= 2
