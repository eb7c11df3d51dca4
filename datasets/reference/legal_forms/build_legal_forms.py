"""Build ``v3/legal_forms.csv`` from the hand-curated rows and the GLEIF ELF code list.

Run from anywhere::

    python datasets/reference/legal_forms/build_legal_forms.py [--gleif PATH]

The curated rows (``curated_legal_forms.csv``) come first and win on a clash. From GLEIF
(ISO 20275, CC0) only forms that are safe to strip from a name are taken:

* active codes only;
* abbreviations (local and transliterated) of at least three letters, minus a deny list of
  words that also name things (``ONG``, ``SON``, ``Embassy``, ``Foundation`` ...);
* no form with a word that names a line of business (``Bank``, ``National Bank``,
  ``Insurance Company``, ``Trust Company``, ``Fund.``): the word tells one party from another;
* the full local name when the code also has an abbreviation (a company form rather than a
  category such as "central bank") and the name has at most five words, or when it is
  written in three or more Han characters ending in 会社, 公司 or 合夥.

GLEIF rows are stripped only at the end of a name (``suffix``), except Han forms, which
are removed wherever they occur. Their canonical form is the shortest Latin abbreviation,
lower-cased, with punctuation dropped; failing that, the ELF code (``elf_<code>``).
"""

from __future__ import annotations

import argparse
import csv
import re
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_GLEIF = HERE.parent / "gleif-elf-codes" / "1.4.1" / "elf-codes-1.4.1.csv"
CURATED = HERE / "curated_legal_forms.csv"
OUTPUT = HERE / "v3" / "legal_forms.csv"
COLUMNS = ("surface", "canonical", "position", "language", "source", "note")

# GLEIF abbreviations and names that are also everyday words or name parts (a bank, an
# embassy, a district or a foundation is named by these words, not incorporated by them).
DENY = {
    "ans", "cn", "con", "ctr", "dba", "emc", "fab", "fon", "jp", "ong", "oth", "per", "sac",
    "sam", "san", "sat", "son", "ski", "tub", "ok", "eu", "ii", "na", "tr", "pr", "sr",
    "ambasciate", "ambassade", "assoc", "association", "associação", "bezirk", "botschaft",
    "canton", "cantone", "chartered", "commune", "companhia", "comune", "condominiums",
    "confederazione", "confédération", "cooperation", "coopération", "cooperative",
    "cooperatives", "coopérative", "coöperatie", "distretto", "district", "embassy", "estado",
    "firma", "fondation", "foundation", "foundations", "fundação", "gemeinde", "incorporation",
    "indivisioni", "indivisions", "kanton", "medlemsbank", "municipal", "municipio", "other",
    "partnership", "procura", "procuration", "prokura", "proprietary", "railroad", "series",
    "societe", "society", "société", "sparbank", "stiftelse", "säätiö", "trust", "trustco",
    "undivided", "unlimited", "unltd", "verein", "λοιπά", "その他",
}
# Words that say what an organisation does (a bank, an insurer, a trust, a fund): a form with
# one of them is left in the name, since "Deutsche Bank" is not "Deutsche" and "Iran National
# Bank" is not "Iran" (from v2 on).
LINE_OF_BUSINESS = re.compile(
    r"^(bank\w*|banca|banco|banque|insurance|reinsurance|assurances?|versicherung\w*|trust\w*|"
    r"savings|fund|fonds|fundo)$")


def _names_a_business(text: str) -> bool:
    return any(LINE_OF_BUSINESS.match(word) for word in re.split(r"[\s\-.]+", text.casefold()))


# Han-script local names are taken only when they name a company or partnership.
HAN_COMPANY_ENDINGS = ("会社", "公司", "合夥")


def _is_han(ch: str) -> bool:
    return "CJK UNIFIED IDEOGRAPH" in unicodedata.name(ch, "")


def _letters(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def _canonical(abbreviations: list[str], elf_code: str) -> str:
    """Return the shortest Latin abbreviation of two letters or more, folded."""
    folded = []
    for abbreviation in abbreviations:
        decomposed = unicodedata.normalize("NFKD", abbreviation)
        letters = "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum()).lower()
        if len(letters) >= 2:
            folded.append(letters)
    if folded:
        return min(folded, key=lambda text: (len(text), text))
    return f"elf_{elf_code.lower()}"


def gleif_rows(path: Path) -> list[dict[str, str]]:
    """Return the legal-form rows derived from one GLEIF ELF code list file."""
    rows: list[dict[str, str]] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for record in csv.DictReader(handle):
            if record["ELF Status ACTV/INAC"] != "ACTV":
                continue
            code = record["ELF Code"]
            language = record["Language Code (ISO 639-1)"]
            abbreviations = [
                a.strip()
                for column in ("Abbreviations Local language", "Abbreviations transliterated")
                for a in record[column].split(";")
                if a.strip()
            ]
            canonical = _canonical(abbreviations, code)
            note = f"GLEIF ELF {code} {record['Country Code (ISO 3166-1)']}"
            for abbreviation in abbreviations:
                letters = _letters(abbreviation)
                if (len(letters) < 3 or letters.casefold() in DENY
                        or _names_a_business(abbreviation)):
                    continue
                rows.append(_row(abbreviation, canonical, "suffix", language, code, note))
            local = record["Entity Legal Form name Local name"].strip()
            if (not local or local.casefold() in DENY or re.search(r"[(),（）]", local)
                    or _names_a_business(local)):
                continue
            han = sum(_is_han(ch) for ch in local)
            if han >= 3 and han == len(local) and local.endswith(HAN_COMPANY_ENDINGS):
                rows.append(_row(local, canonical, "anywhere", language, code, note))
            elif abbreviations and han == 0 and len(local.split()) <= 5:
                rows.append(_row(local, canonical, "suffix", language, code, note))
    return rows


def _row(surface: str, canonical: str, position: str, language: str, code: str,
         note: str) -> dict[str, str]:
    return {"surface": surface, "canonical": canonical, "position": position,
            "language": language, "source": f"gleif-elf-1.4.1:{code}", "note": note}


def curated_rows(path: Path = CURATED) -> list[dict[str, str]]:
    """Return the hand-curated rows."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [{**row, "source": "curated"} for row in csv.DictReader(handle)]


def build(gleif: Path = DEFAULT_GLEIF, output: Path = OUTPUT) -> int:
    """Write the merged table; return the number of rows written."""
    seen: set[str] = set()
    merged: list[dict[str, str]] = []
    for row in curated_rows() + gleif_rows(gleif):
        key = unicodedata.normalize("NFKC", row["surface"]).casefold()
        if key in seen:
            continue
        seen.add(key)
        merged.append({column: row[column] for column in COLUMNS})
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(merged)
    return len(merged)


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gleif", type=Path, default=DEFAULT_GLEIF,
                        help="GLEIF ELF code list CSV (default: the bundled 1.4.1 copy)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    print(f"wrote {build(args.gleif, args.output)} rows to {args.output}")


if __name__ == "__main__":
    main()
