"""ISO 3166-1 country codes: accept alpha-2 or alpha-3 in any case, store upper-case alpha-2."""

from __future__ import annotations

from functools import cache, lru_cache

import pycountry

# Codes in use on official lists but absent from ISO 3166-1 itself.
_EXTRA_CODES = {"XK": "XK", "XKX": "XK"}  # Kosovo, user-assigned code used by OFAC, UN, EU.


@cache
def country_code_map() -> dict[str, str]:
    """Return upper-case alpha-2 and alpha-3 codes mapped to the alpha-2 code.

    Returns
    -------
    dict[str, str]
        ``{"JP": "JP", "JPN": "JP", ...}``.
    """
    mapping = dict(_EXTRA_CODES)
    for country in pycountry.countries:
        mapping[country.alpha_2] = country.alpha_2
        mapping[country.alpha_3] = country.alpha_2
    return mapping


@lru_cache(maxsize=4096)
def country_hint(value: str) -> str:
    """Return the fix for a value that is not a country code, naming the code if it is a name.

    Parameters
    ----------
    value
        The rejected value.

    Returns
    -------
    str
        A sentence such as ``"use the ISO 3166-1 alpha-2 code 'JP' (Japan)"``.
    """
    try:
        country = pycountry.countries.lookup(value.strip())
    except LookupError:
        return "use an ISO 3166-1 alpha-2 code such as 'JP' or 'US'"
    return f"use the ISO 3166-1 alpha-2 code {country.alpha_2!r} ({country.name})"
