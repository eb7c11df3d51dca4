"""Country weights of the generators: where Japanese exports go, who visits Japan.

Weights are rough shares in the spirit of Japan's trade and foreign-resident statistics,
not exact figures; sanctioned destinations are rare, and Russia and Belarus become much
rarer after the ban of 18 March 2022.
"""

from __future__ import annotations

import string
from datetime import date

import numpy as np
import pyarrow as pa

from bulkscreen.tools.generate.sampling import WeightedChoice

RUSSIA_BAN_DATE = date(2022, 3, 18)

DESTINATIONS_BEFORE_BAN: dict[str, float] = {
    "CN": 22, "US": 17, "KR": 7, "TW": 7, "HK": 4.5, "TH": 4.5, "DE": 3, "VN": 3.5,
    "SG": 3, "MY": 2.5, "IN": 2.5, "ID": 2, "PH": 2, "MX": 1.8, "NL": 1.5, "GB": 1.5,
    "FR": 1, "IT": 0.8, "AU": 1.5, "CA": 1, "BR": 0.8, "AE": 1, "TR": 0.6, "SA": 0.5,
    "IL": 0.3, "PK": 0.3, "RU": 1.6, "BY": 0.1, "KZ": 0.2, "UZ": 0.15, "KG": 0.05,
    "IR": 0.05, "IQ": 0.05, "SY": 0.01, "KP": 0.003, "AF": 0.01, "LY": 0.01, "SD": 0.01,
}
DESTINATIONS_AFTER_BAN: dict[str, float] = {
    **DESTINATIONS_BEFORE_BAN, "RU": 0.08, "BY": 0.01, "KZ": 0.35, "UZ": 0.2, "KG": 0.1,
    "AE": 1.3, "TR": 0.8,
}

TRANSIT_HUBS: dict[str, float] = {"HK": 4, "SG": 3, "AE": 2, "NL": 1.5, "TR": 0.8, "KZ": 0.4}
"""Where a consignee sits when it is not in the country of destination."""

NATIONALITIES: dict[str, float] = {
    "JP": 38, "CN": 19, "KR": 5, "VN": 6, "IN": 4, "US": 4, "TW": 3, "ID": 3, "TH": 2,
    "PH": 1.5, "MY": 1.5, "BD": 1.5, "DE": 1.5, "GB": 1, "FR": 1, "RU": 1.5, "IR": 1,
    "PK": 1, "EG": 0.6, "BR": 0.8, "UA": 0.7,
}

SECOND_NATIONALITIES: dict[str, float] = {"US": 4, "CA": 2, "GB": 2, "AU": 2, "DE": 1,
                                          "FR": 1, "JP": 2}


ALL_CODES: tuple[str, ...] = tuple(
    a + b for a in string.ascii_uppercase for b in string.ascii_uppercase
)
"""Every two-letter code; generators carry countries as indices into it (int arithmetic)."""

_ALL_CODES_ARROW = pa.array(ALL_CODES, type=pa.string())


def code_index(code: str) -> int:
    """Index of a two-letter code in ``ALL_CODES``."""
    if len(code) != 2 or not code.isascii() or not code.isupper():
        raise ValueError(f"not a two-letter country code: {code!r}")
    return (ord(code[0]) - 65) * 26 + ord(code[1]) - 65


def code_indices(codes: list[str] | tuple[str, ...]) -> np.ndarray:
    """Indices of several codes."""
    return np.array([code_index(c) for c in codes], dtype=np.int64)


def codes_arrow(indices: np.ndarray) -> pa.Array:
    """Arrow strings of country indices."""
    return _ALL_CODES_ARROW.take(pa.array(indices))


class CountrySampler:
    """Draw countries (as ``ALL_CODES`` indices) from a weight table, vectorised."""

    def __init__(self, weights: dict[str, float]) -> None:
        codes = sorted(weights)
        self.indices = code_indices(codes)
        self._choice = WeightedChoice([weights[c] for c in codes])

    def draw(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """Return ``n`` country indices."""
        return self.indices[self._choice.draw(n, rng)]
