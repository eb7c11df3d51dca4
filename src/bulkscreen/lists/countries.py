"""Country names as lists write them -> ISO 3166-1 alpha-2 codes.

Official lists name countries in their own ways ("Korea, North", "Islamic Republic of Iran",
"Burma", "Region: Crimea"); this module maps those to codes and says None when unsure,
rather than guessing.
"""

from __future__ import annotations

import functools
import re

# Spellings used by OFAC, UN, BIS, OFSI and METI that ISO names do not cover.
_OVERRIDES = {
    "burma": "MM", "korea, north": "KP", "north korea": "KP", "korea, south": "KR",
    "south korea": "KR", "russia": "RU", "iran": "IR", "syria": "SY", "laos": "LA",
    "vietnam": "VN", "viet nam": "VN", "taiwan": "TW", "bolivia": "BO", "venezuela": "VE",
    "tanzania": "TZ", "moldova": "MD", "macedonia": "MK", "north macedonia": "MK",
    "czech republic": "CZ", "congo, democratic republic of the": "CD",
    "democratic republic of the congo": "CD", "congo, republic of the": "CG",
    "republic of the congo": "CG", "cote d'ivoire": "CI", "côte d'ivoire": "CI",
    "ivory coast": "CI", "the bahamas": "BS", "bahamas, the": "BS", "gambia, the": "GM",
    "the gambia": "GM", "west bank": "PS", "gaza": "PS", "palestinian": "PS",
    "region: crimea": "UA", "crimea": "UA", "region: gaza": "PS", "kosovo": "XK",
    "hong kong": "HK", "macau": "MO", "macao": "MO", "brunei": "BN", "turkey": "TR",
    "türkiye": "TR", "turkiye": "TR", "united kingdom": "GB", "uk": "GB",
    "united states": "US", "usa": "US", "united states of america": "US",
    "uae": "AE", "the netherlands": "NL", "holland": "NL", "swaziland": "SZ",
    "cape verde": "CV", "east timor": "TL", "micronesia, federated states of": "FM",
    "st. kitts and nevis": "KN", "st. vincent and the grenadines": "VC",
    "st. lucia": "LC", "vatican city": "VA", "holy see": "VA",
    "people's republic of china": "CN", "china": "CN",
    "democratic people's republic of korea": "KP", "republic of korea": "KR",
    "lao people's democratic republic": "LA", "the former yugoslav republic of macedonia": "MK",
    "republic of moldova": "MD", "united republic of tanzania": "TZ", "syrian arab republic": "SY",
    "iran (islamic republic of)": "IR", "bolivia (plurinational state of)": "BO",
    "venezuela (bolivarian republic of)": "VE", "russian federation": "RU",
    "palestine": "PS", "state of palestine": "PS", "netherlands antilles": "AN",
    "serbia and montenegro": "CS", "yugoslavia": "YU", "zaire": "CD",
    # Short names people write; "republic of china" is Taiwan, not the People's Republic.
    "dprk": "KP", "prc": "CN", "republic of china": "TW", "great britain": "GB",
    "britain": "GB", "u.s": "US", "u.s.a": "US", "bosnia": "BA", "belorussia": "BY",
    "byelorussia": "BY", "kirghizia": "KG", "burkina": "BF", "congo (kinshasa)": "CD",
    "congo (brazzaville)": "CG", "congo, the democratic republic of the": "CD",
}
_PREFIXES = ("the ", "republic of ", "islamic republic of ", "kingdom of ", "state of ",
             "arab republic of ", "federal republic of ", "democratic republic of ",
             "people's republic of ", "sultanate of ", "hashemite kingdom of ")


@functools.cache
def _name_table() -> dict[str, str]:
    import pycountry

    table: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                table[value.lower()] = country.alpha_2
    for country in pycountry.historic_countries:
        alpha_2 = getattr(country, "alpha_2", None)
        if alpha_2:
            table.setdefault(country.name.lower(), alpha_2)
    table.update(_OVERRIDES)
    return table


def _clean(name: str) -> str:
    name = name.strip().strip(".").replace("’", "'").lower()
    return re.sub(r"\s+", " ", name)


@functools.cache
def country_code(name: str | None) -> str | None:
    """Return the ISO alpha-2 code of a country name or code, or None when unknown.

    Parameters
    ----------
    name
        A country name in any common spelling ("Korea, North", "Islamic Republic of Iran"),
        or an alpha-2 / alpha-3 code.

    Returns
    -------
    str or None
        Upper-case alpha-2 code.
    """
    if not name:
        return None
    text = _clean(name)
    if not text or text in {"-0-", "undetermined", "unknown", "none"}:
        return None
    table = _name_table()
    if text in table:
        return table[text]
    if len(text) == 2 and text.isalpha():
        return text.upper() if text.upper() in set(table.values()) else None
    if len(text) == 3 and text.isalpha():
        import pycountry

        found = pycountry.countries.get(alpha_3=text.upper())
        return found.alpha_2 if found else None
    for prefix in _PREFIXES:
        if text.startswith(prefix) and text[len(prefix):] in table:
            return table[text[len(prefix):]]
    return None


def nearest_countries(value: str, limit: int = 3) -> list[str]:
    """Return the known country names nearest to a value that is not one, for a message.

    Parameters
    ----------
    value
        The unknown value ("Irn", "Korea").
    limit
        Most names returned.

    Returns
    -------
    list[str]
        Names with their code, e.g. ``["Iran, Islamic Republic of (IR)"]``, one per country,
        nearest first: names holding the value as a word, then similar spellings.
    """
    import difflib

    import pycountry

    text = _clean(value)
    table = _name_table()
    holding = [key for key in table
               if len(text) >= 4 and re.search(rf"\b{re.escape(text)}\b", key)]
    similar = difflib.get_close_matches(text, list(table), n=10, cutoff=0.8)
    names: dict[str, str] = {}
    for key in [*sorted(holding, key=len), *similar]:
        code = table[key]
        if code not in names:
            country = pycountry.countries.get(alpha_2=code)
            names[code] = f"{country.name if country else key.title()} ({code})"
    return list(names.values())[:limit]


def one_of(names: list[str]) -> str:
    """``"A, B or C"``: names for a message."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def leading_country(text: str | None) -> tuple[str | None, str]:
    """Split a value that starts with a country name: ("People's Republic of China X") ->
    ("CN", "X"). Returns (None, text) when no known country name starts the text."""
    if not text:
        return None, ""
    words = text.split()
    for cut in range(len(words), 0, -1):
        code = country_code(" ".join(words[:cut]))
        if code:
            return code, " ".join(words[cut:])
    return None, text


def countries_in(text: str | None) -> list[str]:
    """Return codes of the countries named in a list-like text ("1) Iraq 2) Syria", "A; B")."""
    if not text:
        return []
    codes: list[str] = []
    for part in re.split(r"\s*(?:\d\)|;|/| and )\s*", text):
        part = re.sub(r"\(.*?\)", "", part)
        found = country_code(part)
        pieces = [found] if found else [country_code(p) for p in part.split(",")]
        for code in pieces:
            if code and code not in codes:
                codes.append(code)
    return codes
