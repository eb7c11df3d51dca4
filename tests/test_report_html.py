"""The HTML report of a run: content, escaping, no network, and charts drawn in Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import numba
import numpy as np
import polars as pl
import pytest
from cli_run import run_cli

from bulkscreen.errors import EXIT_INPUT
from bulkscreen.report.html import (
    DECISION_COLOURS,
    build_run_report,
    read_run,
    threshold_sweep,
    write_run_report,
)

CHROMIUM = Path("/usr/bin/chromium")


def _findings_data(page: str) -> str:
    match = re.search(r'<script type="application/json" id="findings-data">(.*?)</script>',
                      page, re.DOTALL)
    assert match, "the findings data is missing"
    return match.group(1)




@pytest.fixture(scope="module")
def shipments_run(tmp_path_factory) -> Path:
    """A real screening run: generated shipments (CSV, some rows spoiled) against the EUL."""
    root = tmp_path_factory.mktemp("report")
    source = root / "shipments.csv"
    assert run_cli("generate", "shipments", "--rows", "400", "--seed", "11", "--out", source,
                   "--listed-rate", "0.2", "--dirty-rate", "0.02", "--lists", "jp-meti-eul",
                   "--end-date", "2025-12-31") == 0
    assert run_cli("screen", "shipments", source, "--out", root / "run", "--lists",
                   "jp-meti-eul", "--as-of", "2025-12-31", "--quiet") == 0
    return root / "run"


@pytest.fixture(scope="module")
def report_page(shipments_run: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("page") / "report.html"
    assert run_cli("report", shipments_run, "--out", out) == 0
    return out


def test_report_has_every_section_and_the_run_figures(report_page: Path, shipments_run: Path):
    page = report_page.read_text(encoding="utf-8")
    for title in ("Rows by decision", "Findings by list", "Rows by country", "Rows by year",
                  "Score histogram", "Threshold sweep", "What drives REVIEW", "Findings",
                  "Run manifest"):
        assert f"<h2>{title}</h2>" in page
    # Every chart section holds a rendered chart; none fell back to its "missing" note.
    assert page.count('<div class="figure chart"><svg') == 7
    assert 'class="missing"' not in page
    results = pl.read_parquet(shipments_run / "results.parquet")
    assert f"<b>{results.height:,}</b> screened" in page
    quarantined = pl.read_parquet(shipments_run / "quarantine.parquet").height
    assert quarantined > 0 and f"<b>{quarantined:,}</b> quarantined" in page
    assert "&#34;config&#34;" in page or "&quot;config&quot;" in page  # the manifest, escaped


def test_report_needs_no_network(report_page: Path):
    page = report_page.read_text(encoding="utf-8")
    # Two inline scripts (the findings data and the table code), neither loaded from anywhere.
    assert page.lower().count("<script") == 2
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.IGNORECASE)
    assert not re.search(r"\b(fetch|XMLHttpRequest|WebSocket|import)\s*\(", page)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.IGNORECASE)
    assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//", page, re.IGNORECASE)
    assert "@import" not in page


def test_values_from_the_data_are_escaped(shipments_run: Path):
    run = read_run(shipments_run)
    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    run.hits = run.hits.with_columns(pl.lit(hostile).alias("explanation"),
                                     pl.lit(hostile).alias("query_value"))
    page = build_run_report(run)
    assert "<script>alert" not in page and "<img" not in page
    assert page.lower().count("<script") == 2 and page.lower().count("</script") == 2
    # In the table's data the value is intact once parsed, never raw markup in the page.
    data = json.loads(_findings_data(page))
    column = data["columns"].index("explanation")
    assert data["rows"][0][column] == hostile


def test_threshold_sweep_counts_rows_at_or_above_each_threshold():
    results = pl.DataFrame({"top_score": np.array([0.0, 0.8, 0.9, 0.95, 1.0], np.float32)})
    sweep = threshold_sweep(results, 0.8)
    rows = dict(zip(sweep["threshold"].to_list(), sweep["rows"].to_list(), strict=True))
    assert rows[0.8] == 4 and rows[0.9] == 3 and rows[0.91] == 2 and rows[1.0] == 1
    assert sweep.height == 21


def test_report_without_its_input_file_still_renders(shipments_run: Path, tmp_path: Path):
    copy = tmp_path / "run"
    shutil.copytree(shipments_run, copy)
    manifest = (copy / "run.json").read_text(encoding="utf-8")
    (copy / "run.json").write_text(re.sub(r'"path": "[^"]*"', '"path": "gone.csv"', manifest),
                                   encoding="utf-8")
    page = write_run_report(copy).read_text(encoding="utf-8")
    assert "could not be read again" in page
    assert "<h2>Rows by year</h2>" in page and page.count("<svg") == 6


def test_report_of_an_incomplete_run_folder_exits_with_the_input_code(tmp_path: Path):
    (tmp_path / "run").mkdir()
    assert run_cli("report", "html", tmp_path / "run") == EXIT_INPUT


# --- headless Chromium ---------------------------------------------------------------------------

@numba.njit(cache=False)
def _unfilter(raw, height, stride, bpp):
    out = np.zeros((height, stride), np.uint8)
    pos = 0
    for y in range(height):
        kind = raw[pos]
        pos += 1
        for x in range(stride):
            value = np.int32(raw[pos + x])
            left = np.int32(out[y, x - bpp]) if x >= bpp else 0
            up = np.int32(out[y - 1, x]) if y > 0 else 0
            corner = np.int32(out[y - 1, x - bpp]) if (y > 0 and x >= bpp) else 0
            if kind == 1:
                value += left
            elif kind == 2:
                value += up
            elif kind == 3:
                value += (left + up) // 2
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                value += left if (pa <= pb and pa <= pc) else (up if pb <= pc else corner)
            out[y, x] = value & 0xFF
        pos += stride
    return out


def decode_png(path: Path) -> np.ndarray:
    """Decode an 8-bit RGB or RGBA, non-interlaced PNG into a (height, width, 3) array."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    bpp = 3 if colour == 2 else 4
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), np.uint8)
    pixels = _unfilter(raw, height, width * bpp, bpp).reshape(height, width, bpp)
    return pixels[:, :, :3]


def _hex_rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], np.int32)


def _pixels_near(image: np.ndarray, colour: str, tolerance: int = 6) -> int:
    distance = np.abs(image.astype(np.int32) - _hex_rgb(colour)).max(axis=2)
    return int(np.count_nonzero(distance <= tolerance))


def _chromium_or_skip() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{CHROMIUM} is missing in CI: install the Debian package 'chromium'")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); "
                "CI=true makes this a failure")


@pytest.mark.slow
def test_charts_appear_in_headless_chromium(report_page: Path, tmp_path: Path):
    _chromium_or_skip()
    shot = tmp_path / "report.png"
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
        # No name resolves: whatever appears needed no network.
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--screenshot={shot}", "--window-size=1200,4000", report_page.resolve().as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert shot.is_file(), f"no screenshot (exit {done.returncode}): {done.stderr[-2000:]}"
    image = decode_png(shot)
    assert image.shape == (4000, 1200, 3)
    white = np.all(image >= 250, axis=2)
    assert np.count_nonzero(~white) > 0.03 * white.size, "the page is (nearly) blank"
    # The decision bars (top of the page) are drawn in the decision colours.
    clear_colour = DECISION_COLOURS[-1]
    assert _pixels_near(image, clear_colour) > 2_000, "no CLEAR bar drawn"
    drawn = [c for c in DECISION_COLOURS if _pixels_near(image, c) > 100]
    assert len(drawn) >= 3, f"only {drawn} of the decision colours were drawn"


def test_report_lists_every_list_version_with_its_age(report_page: Path, shipments_run: Path):
    page = report_page.read_text(encoding="utf-8")
    manifest = json.loads((shipments_run / "run.json").read_text(encoding="utf-8"))
    banner = page[page.index('id="lists-banner"'):page.index("</table>",
                                                            page.index('id="lists-banner"'))]
    for version in manifest["data"]["lists"]:
        assert f"<td>{version['list_id']}</td><td>{version['version']}</td>" in banner
    assert "months" in banner or "years" in banner or "days" in banner


def test_findings_table_embeds_every_finding_with_listed_details(shipments_run: Path):
    run = read_run(shipments_run)
    data = json.loads(_findings_data(build_run_report(run)))
    assert len(data["rows"]) == data["total"] == run.hits.height
    columns = data["columns"]
    for wanted in ("record_id", "decision", "reason_code", "explanation", "features",
                   "listed_countries", "input_destination_country"):
        assert wanted in columns
    # Most severe first, as the table opens.
    severity = {"PROHIBITED": 3, "LICENSE_REQUIRED": 2, "REVIEW": 1, "CLEAR": 0}
    ranks = [severity[row[columns.index("decision")]] for row in data["rows"]]
    assert ranks == sorted(ranks, reverse=True)


def _dom(page: Path, fragment: str, tmp_path: Path) -> str:
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update",
               f"--user-data-dir={tmp_path / 'dom-profile'}",
               "--host-resolver-rules=MAP * ~NOTFOUND", "--dump-dom",
               page.resolve().as_uri() + fragment]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert "findings-body" in done.stdout, f"no DOM (exit {done.returncode}): {done.stderr[-2000:]}"
    return done.stdout


@pytest.mark.slow
def test_findings_table_is_searched_filtered_and_sorted_in_headless_chromium(
        report_page: Path, shipments_run: Path, tmp_path: Path):
    _chromium_or_skip()
    data = json.loads(_findings_data(report_page.read_text(encoding="utf-8")))
    columns, rows = data["columns"], data["rows"]
    at = {c: i for i, c in enumerate(columns)}
    review = [r for r in rows if r[at["decision"]] == "REVIEW"]
    needle = next(r[at["query_value"]] for r in rows if r[at["query_value"]])[:6].lower()

    def text(row):
        return " \u0001 ".join("" if v is None else str(v) for v in row).lower()

    expected = [r for r in review if needle in text(r)]
    assert review and expected
    dom = _dom(report_page, f"#decision=REVIEW&q={needle}&sort=record_id&dir=asc", tmp_path)
    count = int(re.search(r'id="findings-count" data-count="(\d+)"', dom).group(1))
    assert count == len(expected)
    start = dom.index('id="findings-body"')
    body = dom[start:dom.index("</tbody>", start)]
    shown = re.findall(r'<tr class="finding-row" data-index="(\d+)">', body)
    assert len(shown) == min(len(expected), data["page_size"])
    ids = [rows[int(i)][at["record_id"]] for i in shown]
    assert ids == sorted(ids)
    assert all(rows[int(i)][at["decision"]] == "REVIEW" for i in shown)
    # With no filter the table counts every finding.
    everything = _dom(report_page, "", tmp_path)
    assert f'data-count="{len(rows)}"' in everything


def test_persons_report_has_categories_and_visits(tmp_path: Path):
    source = tmp_path / "persons.csv"
    assert run_cli("generate", "persons", "--rows", "300", "--seed", "5", "--out", source,
                   "--end-date", "2025-12-31") == 0
    assert run_cli("screen", "persons", source, "--out", tmp_path / "run", "--as-of",
                   "2025-12-31", "--quiet") == 0
    page = write_run_report(tmp_path / "run").read_text(encoding="utf-8")
    assert "<h2>Persons</h2>" in page and "Persons by year of visit start" in page
    results = pl.read_parquet(tmp_path / "run" / "results.parquet")
    people = results.filter(pl.col("reason_codes").list.contains("SPECIFIC_CATEGORY_1")).height
    assert f"<tr><td>SPECIFIC_CATEGORY_1</td><td class=\"num\">{people:,}</td></tr>" in page
