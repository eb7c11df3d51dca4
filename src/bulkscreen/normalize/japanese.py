"""Japanese: kana to Hepburn-style romaji, long-vowel folding, optional kanji reading.

Kana are romanised with jaconv (katakana -> hiragana -> romaji) after spelling out the
small-kana combinations jaconv reads letter by letter (ティ is "ti", not "tei").
Kanji are kept as kanji by default: a reading needs a dictionary, which the optional
``kanji`` extra (cutlet) brings.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import jaconv

# Combinations of a kana with a small vowel that jaconv reads as two syllables.
_SMALL_KANA_COMBINATIONS = {
    "てぃ": "ti", "でぃ": "di", "とぅ": "tu", "どぅ": "du", "うぃ": "wi", "うぇ": "we",
    "うぉ": "wo", "しぇ": "she", "じぇ": "je", "ちぇ": "che", "つぁ": "tsa", "つぃ": "tsi",
    "つぇ": "tse", "つぉ": "tso", "いぇ": "ye", "くぁ": "kwa", "ぐぁ": "gwa", "ぢゃ": "ja",
    "ぢゅ": "ju", "ぢょ": "jo", "ふゅ": "fyu", "ゔゅ": "vyu",
}
_SMALL_KANA_PATTERN = re.compile("|".join(_SMALL_KANA_COMBINATIONS))
# Marks with no sound of their own: the long-vowel bar (folded away below anyway), the
# iteration marks, and a sokuon with nothing to double.
_SILENT = str.maketrans({"ー": None, "ゝ": None, "ゞ": None, "ゟ": None, "-": None})
_SOKUON_LEFT = re.compile(r"xtsu(?=([bcdfghjkmnpqrstvwxyz]))")

LONG_VOWELS = (("ou", "o"), ("oo", "o"), ("uu", "u"))
"""Romaji long vowels folded to short ones, so Tokyo, Toukyou and Tōkyō meet."""


@lru_cache(maxsize=65536)
def kana_to_romaji(kana: str) -> str:
    """Romanise a run of hiragana or katakana.

    Parameters
    ----------
    kana
        Hiragana and/or katakana (NFKC-normalised, so no half-width forms).

    Returns
    -------
    str
        Lower-case ASCII romaji, long vowels not yet folded.

    Examples
    --------
    >>> kana_to_romaji("アドミラルティ")
    'adomiraruti'
    """
    hiragana = jaconv.kata2hira(kana)
    hiragana = _SMALL_KANA_PATTERN.sub(lambda m: _SMALL_KANA_COMBINATIONS[m.group(0)], hiragana)
    romaji = jaconv.kana2alphabet(hiragana)
    # A sokuon jaconv could not attach doubles the next consonant; a stray one is silent.
    romaji = _SOKUON_LEFT.sub(lambda m: m.group(1), romaji).replace("xtsu", "")
    romaji = romaji.translate(_SILENT)
    # Anything jaconv has no reading for (rare archaic kana) is dropped, not kept as kana.
    return "".join(ch for ch in romaji if ch.isascii())


def fold_long_vowels(text: str) -> str:
    """Fold romaji long vowels (ou, oo -> o; uu -> u) until none is left.

    Applied to every Latin word, not only romaji: the same fold on both sides of a
    comparison keeps matches, and "Toukyou" typed by a person must meet "Tokyo".

    Parameters
    ----------
    text
        Lower-case text.

    Returns
    -------
    str
        The folded text; folding it again changes nothing.
    """
    while "ou" in text or "oo" in text or "uu" in text:
        for long, short in LONG_VOWELS:
            text = text.replace(long, short)
    return text


@lru_cache(maxsize=1)
def _kanji_reader() -> Any:
    """Load cutlet once per process (its dictionary takes a second to load)."""
    try:
        import cutlet
    except ImportError as exc:
        raise ImportError(
            "Reading kanji as romaji needs the optional 'kanji' extra: "
            "pip install 'bulkscreen[kanji]'"
        ) from exc
    reader = cutlet.Cutlet()
    reader.use_foreign_spelling = False
    return reader


def romanize_kanji(text: str) -> str:
    """Read kanji as Hepburn romaji with cutlet (the optional ``kanji`` extra).

    Parameters
    ----------
    text
        A run of kanji.

    Returns
    -------
    str
        Lower-case romaji.

    Raises
    ------
    ImportError
        When cutlet is not installed; the message names the extra to install.
    """
    return str(_kanji_reader().romaji(text)).lower()
