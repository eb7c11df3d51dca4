"""From raw text to folded tokens, in two stages.

``fold_characters`` works on characters and keeps the script: invisible characters out,
NFKC (full-width Latin, half-width kana, ㈱ -> (株)), confusable letters in Latin words
mapped to Latin, case folded. Legal forms and honorifics written in scripts without spaces
(株式会社, 様) are found at this stage.

``split_tokens`` leaves ASCII only: kana to romaji, Han to pinyin (or romaji with the kanji
extra), Hangul, Arabic and Hebrew as names are written in Latin
(:mod:`bulkscreen.normalize.scripts`), other scripts and diacritics to Latin with anyascii,
punctuation rules, long vowels folded, initials joined.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from itertools import accumulate

from bulkscreen.normalize.chars import (
    ASCII_DELETE_BYTES,
    ASCII_PUNCTUATION,
    ASCII_PUNCTUATION_BYTES,
    CONFUSABLE_LETTERS,
    CONFUSABLE_TO_LATIN,
    CYRILLIC_OR_GREEK_LETTER,
    HAN_OR_KANA_RUNS,
    INVISIBLE_CHARACTER,
    INVISIBLE_DELETE,
    LATIN_LETTER,
)
from bulkscreen.normalize.japanese import fold_long_vowels, kana_to_romaji, romanize_kanji
from bulkscreen.normalize.scripts import han_to_latin, romanize_words

# A whole word (run of non-space) holding a Cyrillic or Greek letter: the leftmost match
# starts where such a word starts, and words without one are never matched.
_WORD_WITH_CYRILLIC_OR_GREEK = re.compile(
    rf"\S*{CYRILLIC_OR_GREEK_LETTER.pattern}\S*"
)
# Joins a batch of ASCII names: not ASCII, so in no name, and left alone by every step of
# split_ascii_names (bytes.lower, the '&' replacement and the punctuation table).
_BATCH_SEPARATOR = "\xff"
_VOWELS = frozenset("aeiouy")
# Every letter and digit as "a", every other byte (space, separator) as a space.
_TOKEN_SHAPE = bytes(
    ord("a") if chr(code).isascii() and chr(code).isalnum() else ord(" ") for code in range(256)
)


def fold_characters(text: str) -> str:
    """Clean and fold the characters of a name, keeping its script.

    Parameters
    ----------
    text
        A name as written.

    Returns
    -------
    str
        The name without invisible characters, NFKC-normalised, confusables in Latin words
        mapped to Latin, case-folded.
    """
    if text.isascii():
        return text.lower()
    if INVISIBLE_CHARACTER.search(text):
        text = text.translate(INVISIBLE_DELETE)
    text = unicodedata.normalize("NFKC", text)
    if LATIN_LETTER.search(text) and CYRILLIC_OR_GREEK_LETTER.search(text):
        text = _fold_confusables(text)
    return text.casefold()


def _fold_confusables(text: str) -> str:
    """Map Cyrillic and Greek look-alikes to Latin in words that are Latin otherwise.

    A word is treated as Latin when it holds a Latin letter, or when all its letters are
    look-alikes and the rest of the name has more Latin than Cyrillic or Greek letters
    ("ООО Romashka" with a Cyrillic ООО).
    """
    latin_total = len(LATIN_LETTER.findall(text))
    other_total = len(CYRILLIC_OR_GREEK_LETTER.findall(text))

    def fold_word(match: re.Match[str]) -> str:
        word = match.group(0)
        if LATIN_LETTER.search(word):
            return word.translate(CONFUSABLE_TO_LATIN)
        letters = [ch for ch in word if ch.isalpha()]
        all_look_alike = bool(letters) and all(ch in CONFUSABLE_LETTERS for ch in letters)
        if all_look_alike and latin_total > other_total - len(letters):
            return word.translate(CONFUSABLE_TO_LATIN)
        return word

    return _WORD_WITH_CYRILLIC_OR_GREEK.sub(fold_word, text)


def transliterate(folded: str, *, kanji_romaji: bool = False) -> str:
    """Turn folded text into ASCII plus kanji.

    Parameters
    ----------
    folded
        Output of :func:`fold_characters`.
    kanji_romaji
        Read kanji as romaji (needs the ``kanji`` extra) instead of keeping them.

    Returns
    -------
    str
        Text in ASCII: Han as pinyin (or romaji with ``kanji_romaji``), Hangul, Arabic and
        Hebrew as :mod:`bulkscreen.normalize.scripts` reads them, the rest by anyascii.
    """
    if folded.isascii():
        return folded
    pieces: list[str] = []
    position = 0
    for match in HAN_OR_KANA_RUNS.finditer(folded):
        pieces.append(romanize_words(folded[position:match.start()]))
        han, kana = match.group(1), match.group(2)
        if han is not None:
            pieces.append(f" {romanize_kanji(han) if kanji_romaji else han_to_latin(han)} ")
        else:
            pieces.append(f" {kana_to_romaji(kana)} ")
        position = match.end()
    pieces.append(romanize_words(folded[position:]))
    return "".join(pieces).lower()


def split_tokens(folded: str, *, kanji_romaji: bool = False) -> list[str]:
    """Split folded text into normalised tokens.

    Parameters
    ----------
    folded
        Output of :func:`fold_characters`.
    kanji_romaji
        Read kanji as romaji (needs the ``kanji`` extra) instead of keeping them.

    Returns
    -------
    list of str
        Tokens in order: lower-case ASCII letters and digits, or kanji.
    """
    text = folded if folded.isascii() else transliterate(folded, kanji_romaji=kanji_romaji)
    if text.isascii():
        if "&" in text:
            text = text.replace("&", " and ")
        text = text.encode().translate(ASCII_PUNCTUATION_BYTES, ASCII_DELETE_BYTES).decode()
    else:
        text = text.translate(ASCII_PUNCTUATION)
    return _split_clean(text)


# Ordinals written with digits read as the word lists also write: "1st" ~ "First".
ORDINAL_WORDS = {
    "1st": "first", "2nd": "second", "3rd": "third", "4th": "fourth", "5th": "fifth",
    "6th": "sixth", "7th": "seventh", "8th": "eighth", "9th": "ninth", "10th": "tenth",
    "11th": "eleventh", "12th": "twelfth",
}
_ORDINAL = re.compile(rb"(?<![a-z0-9])(?:[1-9]|1[0-2])(?:st|nd|rd|th)(?![a-z0-9])")


def _split_clean(text: str) -> list[str]:
    """Split text left with letters, digits and kanji; ordinals to words, long vowels folded,
    initials joined."""
    tokens = text.split()
    if any(token in ORDINAL_WORDS for token in tokens):
        tokens = [ORDINAL_WORDS.get(token, token) for token in tokens]
        # The words then fold like the written ones: "4th" meets "Fourth" as "forth".
        text = " ".join(tokens)
    if "oo" in text or "ou" in text or "uu" in text:
        tokens = [fold_long_vowels(token) if _folds_long_vowels(token) else token
                  for token in tokens]
    if tokens and min(map(len, tokens)) == 1:
        return join_initials(tokens)
    return tokens


def split_ascii_names(texts: list[str]) -> list[list[str]]:
    """Split many ASCII names at once: ``split_tokens(fold_characters(text))`` for each.

    Case, '&' and punctuation are handled for the whole batch in a few C-level passes over
    the names joined by a character no ASCII name holds; then each name is split.

    Parameters
    ----------
    texts
        Names made of ASCII characters only.

    Returns
    -------
    list of list of str
        The tokens of each name, in order.
    """
    if not texts:
        return []
    joined = _BATCH_SEPARATOR.join(texts).encode("latin-1").lower().replace(b"&", b" and ")
    cleaned = joined.translate(ASCII_PUNCTUATION_BYTES, ASCII_DELETE_BYTES)
    pieces = cleaned.decode("latin-1").split(_BATCH_SEPARATOR)
    token_lists = [piece.split() for piece in pieces]
    # Only names with a long vowel, an ordinal or a single-character token need more than a
    # split.
    positions = _long_vowels_and_single_characters(cleaned)
    if positions:
        starts = list(accumulate((len(piece) + 1 for piece in pieces), initial=0))
        for index in {bisect_right(starts, position) - 1 for position in positions}:
            token_lists[index] = _split_clean(pieces[index])
    return token_lists


def _long_vowels_and_single_characters(cleaned: bytes) -> list[int]:
    """Positions of long vowels, ordinals and single-character tokens in a joined batch.

    ``cleaned`` holds letters, digits, spaces and separators only. Substring searches
    (run in C) find both: single characters as " a " once every letter and digit reads
    "a" and every separator a space.
    """
    positions = [
        position for vowels in (b"oo", b"ou", b"uu") for position in _find_all(cleaned, vowels)
    ]
    positions.extend(match.start() for match in _ORDINAL.finditer(cleaned))
    shape = b" " + cleaned.translate(_TOKEN_SHAPE) + b" "
    # A match's start in the padded shape is the character's index in cleaned.
    positions.extend(_find_all(shape, b" a "))
    return positions


def _find_all(text: bytes, part: bytes) -> list[int]:
    """Every start of ``part`` in ``text``, overlapping ones included."""
    found = []
    position = text.find(part)
    while position >= 0:
        found.append(position)
        position = text.find(part, position + 1)
    return found


def _has_consonant(token: str) -> bool:
    # Vowel-only words ("ooo" of OOO, "ou") are abbreviations, not romaji long vowels.
    return not _VOWELS.issuperset(token)


def _folds_long_vowels(token: str) -> bool:
    # A three-letter word with a doubled o is a word, not a romaji long vowel (since
    # names-norm-v6): folded, the legal forms d.o.o. and ТОО would read as the surnames
    # "Do" and "To" and strip them from "Huy Do".
    return _has_consonant(token) and not (len(token) == 3 and "oo" in token)


def join_initials(tokens: list[str]) -> list[str]:
    """Join runs of single letters: "j p morgan" (from "J.P. Morgan") -> "jp morgan".

    An "and" between letters is kept: "K & K" joined to "kk" would read as a legal form.
    """
    if not tokens or min(map(len, tokens)) > 1:
        return tokens
    joined: list[str] = []
    run: list[str] = []
    for token in tokens:
        if _is_letter(token):
            run.append(token)
            continue
        if run:
            joined.append(_close_run(run))
            run = []
        joined.append(token)
    if run:
        joined.append(_close_run(run))
    return joined


def _is_letter(token: str) -> bool:
    return len(token) == 1 and token.isascii() and token.isalpha()


def _close_run(run: list[str]) -> str:
    # Joined letters may form a long vowel ("k o o"), folded so a second pass agrees.
    if len(run) == 1:
        return run[0]
    joined = "".join(run)
    return fold_long_vowels(joined) if _folds_long_vowels(joined) else joined
