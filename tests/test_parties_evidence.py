"""Evidence in `screen parties`: country names, entity types and dates of birth move scores.

Germain Katanga is on the bundled UN consolidated list (entry CDi.006) as a person born in 1978
with the Democratic Republic of the Congo as his country. The tests screen him family name
first ("Katanga Germain", a near match under 1.0, so a bonus shows), through the command and
the Python API as a user would, with the review band widened so that penalised matches stay
visible.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from cli_run import run_cli

import bulkscreen
from bulkscreen.config import MatchConfig, RunConfig
from bulkscreen.errors import EXIT_CONFIG, EXIT_INPUT, ConfigError
from bulkscreen.lists.countries import nearest_countries
from bulkscreen.screen.parties import party_evidence, resolve_country

LISTS = ["un-consolidated"]
CONFIG = RunConfig(lists=LISTS, match=MatchConfig(hit_threshold=0.90, review_threshold=0.70))
QUERY = "Katanga Germain"
DAY = dt.date(2026, 6, 1)
KATANGA = "CDi.006"


def katanga_hit(frame: pl.DataFrame, **evidence) -> dict:
    """The hit on Katanga's entry of screening ``frame`` with ``evidence``."""
    _, hits = bulkscreen.screen_parties(frame, names=["name"], as_of=DAY, config=CONFIG,
                                        hits=True, **evidence)
    rows = hits.filter(pl.col("entry_id") == KATANGA).to_dicts()
    assert len(rows) == 1, hits
    return rows[0]


@pytest.fixture(scope="module")
def katanga() -> pl.DataFrame:
    return pl.DataFrame({"name": [QUERY]})


@pytest.fixture(scope="module")
def base_score(katanga: pl.DataFrame) -> float:
    hit = katanga_hit(katanga)
    assert "birth_year" not in json.loads(hit["features"])
    assert 0.85 < hit["score"] < 0.95
    return hit["score"]


def test_an_agreeing_birth_year_raises_the_score_and_a_far_one_lowers_it(katanga, base_score):
    agrees = katanga_hit(katanga, birth_dates=1978)
    same_day = katanga_hit(katanga, birth_dates=dt.date(1978, 4, 28))
    far_off = katanga_hit(katanga, birth_dates="1940-01-01")
    assert agrees["score"] == pytest.approx(base_score + 0.03, abs=1e-6)
    assert same_day["score"] == pytest.approx(agrees["score"])
    assert far_off["score"] == pytest.approx(base_score - 0.10, abs=1e-6)
    assert json.loads(agrees["features"])["birth_year"] == pytest.approx(0.03)
    assert json.loads(far_off["features"])["birth_year"] == pytest.approx(-0.10)
    assert far_off["score"] < base_score < agrees["score"]


def test_an_organisation_query_against_a_listed_person_is_penalised(katanga, base_score):
    as_company = katanga_hit(katanga, entity_types="organization")
    as_person = katanga_hit(katanga, entity_types="person")
    assert json.loads(as_company["features"])["entity_type"] == pytest.approx(-0.10)
    assert as_company["score"] == pytest.approx(base_score - 0.10, abs=1e-6)
    assert "entity_type" not in json.loads(as_person["features"])
    assert as_person["score"] == pytest.approx(base_score)


@pytest.mark.parametrize("value, code", [
    ("Iran", "IR"), ("IRN", "IR"), ("ir", "IR"), ("Russian Federation", "RU"),
    ("Russia", "RU"), ("Korea, Democratic People's Republic of", "KP"),
    ("North Korea", "KP"), ("DPRK", "KP"), ("South Korea", "KR"), ("Great Britain", "GB"),
    ("USA", "US"), ("Syria", "SY"), ("Burma", "MM"), ("Türkiye", "TR"),
    ("Republic of China", "TW"), ("Democratic Republic of the Congo", "CD"),
])
def test_country_names_codes_and_short_names_resolve(value, code):
    assert resolve_country(value) == code


def test_a_country_name_counts_as_its_code(katanga, base_score):
    by_name = katanga_hit(katanga, countries="Democratic Republic of the Congo")
    by_code = katanga_hit(katanga, countries="CD")
    elsewhere = katanga_hit(katanga, countries="France")
    assert by_name["score"] == by_code["score"] == pytest.approx(base_score + 0.02,
                                                                 abs=1e-6)
    assert elsewhere["score"] == pytest.approx(base_score - 0.05, abs=1e-6)


@pytest.mark.parametrize("value, nearest", [
    ("Rusia", "Russian Federation (RU)"), ("Irn", None), ("Korea", "(KP)"),
    ("Phillipines", "Philippines (PH)"), ("Narnia", None),
])
def test_an_unknown_country_is_an_error_naming_the_nearest_names(value, nearest):
    if value == "Irn":  # an alpha-3 code
        assert resolve_country(value) == "IR"
        return
    with pytest.raises(ConfigError) as error:
        resolve_country(value)
    text = str(error.value)
    assert f"--country {value!r} is neither an ISO 3166-1 country code nor a country name" in text
    if nearest:
        assert "did you mean" in text and nearest in text
    else:
        assert nearest_countries(value) == [] and "such as 'IR'" in text


def test_evidence_options_are_checked_before_anything_runs():
    with pytest.raises(ConfigError, match="'org' is not an entity type"):
        party_evidence(["name"], entity_types=("org", {}))
    with pytest.raises(ConfigError, match="'19x' is neither a date nor a year of birth"):
        party_evidence(["name"], birth_dates=("19x", {}))
    with pytest.raises(ConfigError, match="'contact', which is not a --name column"):
        party_evidence(["name"], birth_dates=(None, {"contact": "born"}))
    evidence = party_evidence(
        ["company", "contact"], countries=("Iran", {"contact": "country"}),
        entity_types=("organisation", {"contact": "person"}),
        birth_dates=(None, {"contact": "born"}))
    assert evidence.countries == {"company": "IR"} and evidence.country_columns == {
        "contact": "country"}
    assert evidence.entity_types == {"company": "organisation", "contact": "person"}
    assert evidence.birth_columns == {"contact": "born"} and not evidence.birth_years


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def hits_of(out: Path) -> dict[str, dict]:
    hits = pl.read_parquet(out / "hits.parquet").filter(pl.col("entry_id") == KATANGA)
    return {row["record_id"]: row for row in hits.to_dicts()}


def match_config(folder: Path) -> Path:
    return write(folder / "bulkscreen.toml", "[match]\nreview_threshold = 0.70\n")


def test_the_command_reads_evidence_columns_and_quarantines_bad_values(tmp_path):
    source = write(tmp_path / "parties.csv",
                   "ref,name,kind,born,land\n"
                   f"R1,{QUERY},,,\n"
                   f"R2,{QUERY},person,1978-04-28,Congo (Kinshasa)\n"
                   f"R3,{QUERY},Organization,1940,France\n"
                   f"R4,{QUERY},individual,1978,\"Congo, The Democratic Republic of the\"\n"
                   f"R5,{QUERY},person,19x8,CD\n"
                   f"R6,{QUERY},robot,1978,CD\n"
                   f"R7,{QUERY},person,1978,Narnia\n"
                   f"R8,{QUERY},person,1978,Rusia\n"
                   f"R9,{QUERY},company,,\n")
    out = tmp_path / "run"
    assert run_cli("screen", "parties", source, "--name", "name", "--id", "ref",
                   "--entity-type", "name=kind", "--birth-date", "name=born",
                   "--country", "name=land", "--lists", *LISTS, "--as-of", DAY,
                   "--config", match_config(tmp_path), "--out", out, "-q") == 0
    hits = hits_of(out)
    base = hits["R1"]["score"]
    assert hits["R2"]["score"] == hits["R4"]["score"] == pytest.approx(base + 0.05, abs=1e-6)
    assert json.loads(hits["R4"]["features"])["country"] == pytest.approx(0.02)
    assert hits["R9"]["score"] == pytest.approx(base - 0.10, abs=1e-6)
    # Neither France nor 1940 agrees, and an organisation is not the listed person.
    assert "R3" not in hits
    results = pl.read_parquet(out / "results.parquet")
    assert results.filter(pl.col("record_id") == "R4").select("kind", "born", "land").row(0) \
        == ("person", 1978, "CD")
    quarantine = {r["input_row"]: r for r in
                  pl.read_parquet(out / "quarantine.parquet").to_dicts()}
    assert sorted(quarantine) == [5, 6, 7, 8]
    assert quarantine[5]["column"] == "born" and "not a date or year of birth" in \
        quarantine[5]["reason"]
    assert quarantine[6]["column"] == "kind" and "not an entity type" in quarantine[6]["reason"]
    assert quarantine[7]["column"] == "land" and quarantine[7]["value"] == "Narnia"
    assert "'Narnia' is neither an ISO 3166-1 country code nor a country name" in \
        quarantine[7]["reason"]
    assert "did you mean Russian Federation (RU)?" in quarantine[8]["reason"]


def test_the_command_takes_one_value_for_every_name(tmp_path):
    source = write(tmp_path / "people.csv", f"ref,name,company\nP1,{QUERY},Acme\n")
    out = tmp_path / "run"
    assert run_cli("screen", "parties", source, "--name", "name", "--name", "company",
                   "--id", "ref", "--entity-type", "person", "--entity-type",
                   "company=organization", "--birth-date", "1978",
                   "--country", "Korea, Democratic People's Republic of",
                   "--lists", *LISTS, "--as-of", DAY, "--config", match_config(tmp_path),
                   "--out", out, "-q") == 0
    manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert manifest["extra"]["party_evidence"] == {
        "countries": {"name": "KP", "company": "KP"}, "birth_years": {"name": 1978,
                                                                     "company": 1978},
        "entity_types": {"name": "person", "company": "organisation"}}
    features = json.loads(hits_of(out)["P1"]["features"])
    assert features["birth_year"] == pytest.approx(0.03)
    assert features["country"] == pytest.approx(-0.05)
    assert "entity_type" not in features


def test_the_command_refuses_an_unknown_country_naming_the_nearest(tmp_path, capsys):
    source = write(tmp_path / "names.csv", f"name\n{QUERY}\n")
    out = tmp_path / "run"
    assert run_cli("screen", "parties", source, "--name", "name", "--country", "Rusia",
                   "--lists", *LISTS, "--out", out, "-q") == EXIT_CONFIG
    err = capsys.readouterr().err
    assert "--country 'Rusia' is neither an ISO 3166-1 country code nor a country name" in err
    assert "did you mean Russian Federation (RU)?" in err
    assert not out.exists()
    assert run_cli("screen", "parties", source, "--name", "name", "--birth-date",
                   "name=born", "--lists", *LISTS, "--out", out, "-q") == EXIT_INPUT
    assert "born" in capsys.readouterr().err


def test_the_api_takes_evidence_columns_by_name_column(tmp_path):
    frame = pl.DataFrame({"name": [QUERY, QUERY],
                          "kind": ["person", "company"], "born": ["1978", "1940"]})
    results, hits = bulkscreen.screen_parties(
        frame, names=["name"], entity_types={"name": "kind"}, birth_dates={"name": "born"},
        as_of=DAY, config=CONFIG, hits=True)
    scores = dict(hits.filter(pl.col("entry_id") == KATANGA).select("input_row", "score")
                  .iter_rows())
    assert scores[1] == pytest.approx(scores[2] + 0.23, abs=1e-6)
    assert results["born"].to_list() == [1978, 1940]
    with pytest.raises(ConfigError, match="did you mean Iran"):
        bulkscreen.screen_parties(frame, names=["name"], countries="Irann", config=CONFIG)


@pytest.mark.parametrize("value, year", [
    ("1978", 1978), ("1978-04-28", 1978), ("1978/04/28", 1978), (1978, 1978),
    (dt.date(1978, 4, 28), 1978), ("19x8", None), ("1978-02-30", None), ("2200", None),
    (12, None), (True, None),
])
def test_a_birth_value_is_a_date_or_a_year_of_birth(value, year):
    from bulkscreen.io.validate import birth_year

    assert birth_year(value) == year
