"""Character tables: invisible characters, ASCII punctuation, confusables and scripts.

Pure data and small lookups; no name-level logic lives here.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

# Zero-width, bidi and other invisible characters that can hide inside a name to split it
# or reorder it on screen; they carry no letters, so they are deleted outright.
_INVISIBLE_RANGES = (
    (0x00AD, 0x00AD),  # soft hyphen
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x061C, 0x061C),  # Arabic letter mark (bidi)
    (0x115F, 0x1160),  # Hangul fillers
    (0x17B4, 0x17B5),  # Khmer inherent vowels (invisible)
    (0x180B, 0x180F),  # Mongolian variation selectors and vowel separator
    (0x200B, 0x200F),  # zero-width space, ZWNJ, ZWJ, LRM, RLM
    (0x202A, 0x202E),  # bidi embeddings and overrides
    (0x2060, 0x2064),  # word joiner and invisible operators
    (0x2066, 0x206F),  # bidi isolates and deprecated format characters
    (0x3164, 0x3164),  # Hangul filler
    (0xFE00, 0xFE0F),  # variation selectors
    (0xFEFF, 0xFEFF),  # zero-width no-break space (byte order mark)
    (0xFFA0, 0xFFA0),  # half-width Hangul filler
    (0x1BCA0, 0x1BCA3),  # shorthand format controls
    (0x1D173, 0x1D17A),  # musical format controls
    (0xE0000, 0xE007F),  # tag characters
    (0xE0100, 0xE01EF),  # variation selectors supplement
)
INVISIBLE_DELETE: dict[int, None] = {
    code: None for low, high in _INVISIBLE_RANGES for code in range(low, high + 1)
}
# C1 control characters read as a word break, like their C0 cousins.
INVISIBLE_DELETE.update({code: 0x20 for code in range(0x80, 0xA0)})
# Finds any character INVISIBLE_DELETE changes: most names hold none, and a search is
# cheaper than a translate through a dict.
INVISIBLE_CHARACTER = re.compile("[{}\x80-\x9f]".format("".join(
    f"{re.escape(chr(low))}-{re.escape(chr(high))}" for low, high in _INVISIBLE_RANGES
)))

# Applied after transliteration, when the text is ASCII plus Han: apostrophes join the
# letters around them (Qa'ida -> qaida), '&' reads as 'and', and every other punctuation
# mark or control character splits words; dots split too and initials are re-joined later.
ASCII_PUNCTUATION: dict[int, str | None] = {code: " " for code in range(0x00, 0x20)}
ASCII_PUNCTUATION[0x7F] = " "
for _char in "!\"#$%()*+,-./:;<=>?@[\\]^_{|}~":
    ASCII_PUNCTUATION[ord(_char)] = " "
for _char in "'`":
    ASCII_PUNCTUATION[ord(_char)] = None
ASCII_PUNCTUATION[ord("&")] = " and "
# The same rules as byte tables, several times faster on ASCII text ('&' is replaced first).
ASCII_PUNCTUATION_BYTES = bytes(
    0x20 if isinstance(ASCII_PUNCTUATION.get(code), str) else code for code in range(256)
)
ASCII_DELETE_BYTES = b"'`"

# Cyrillic and Greek letters that look like Latin ones. Used only inside a token that is
# otherwise Latin, so "Аdmiralty" with a Cyrillic А cannot slip past "Admiralty".
CONFUSABLE_TO_LATIN = str.maketrans({
    # Cyrillic capitals
    "А": "A", "В": "B", "Е": "E", "Ѕ": "S", "І": "I", "Ј": "J", "К": "K", "М": "M",
    "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T", "У": "Y", "Х": "X", "Ү": "Y",
    "Ԛ": "Q", "Ԝ": "W", "Һ": "H", "Ӏ": "I",
    # Cyrillic small letters
    "а": "a", "в": "b", "е": "e", "ѕ": "s", "і": "i", "ј": "j", "к": "k", "м": "m",
    "н": "h", "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ү": "y",
    "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ё": "e", "ї": "i",
    # Greek capitals
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    # Greek small letters
    "α": "a", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u",
    "χ": "x", "ϲ": "c", "ϳ": "j",
})
CONFUSABLE_LETTERS = frozenset(
    chr(code) for code in CONFUSABLE_TO_LATIN if not chr(code).isascii()
)

ASCII_LETTER = re.compile(r"[A-Za-z]")
LATIN_LETTER = re.compile(r"[A-Za-z\u00C0-\u024F\u1E00-\u1EFF]")
CYRILLIC_OR_GREEK_LETTER = re.compile(r"[\u0370-\u03FF\u1F00-\u1FFF\u0400-\u052F]")

# Han (kanji / hanzi) runs are kept as written; the iteration marks and the small ke that
# appear inside kanji names stay with them. Kana runs are romanised.
HAN_CLASS = (
    "\u3005\u3006\u30F5\u30F6\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF"
    "\U00020000-\U0003FFFF"
)
KANA_CLASS = "\u3041-\u309F\u30A0-\u30F4\u30F7-\u30FA\u30FC-\u30FF\u31F0-\u31FF"
HAN_OR_KANA_RUNS = re.compile(f"([{HAN_CLASS}]+)|([{KANA_CLASS}]+)")

# Unicode character-name prefixes -> ISO 15924 script codes.
_SCRIPT_BY_NAME_PREFIX = {
    "LATIN": "Latn", "FULLWIDTH LATIN": "Latn", "CYRILLIC": "Cyrl", "GREEK": "Grek",
    "ARABIC": "Arab", "HEBREW": "Hebr", "HANGUL": "Hang", "CJK": "Hani",
    "HIRAGANA": "Hira", "KATAKANA": "Kana", "HALFWIDTH KATAKANA": "Kana", "THAI": "Thai",
    "DEVANAGARI": "Deva", "BENGALI": "Beng", "GEORGIAN": "Geor", "ARMENIAN": "Armn",
    "ETHIOPIC": "Ethi", "TAMIL": "Taml", "KHMER": "Khmr", "LAO": "Laoo", "MYANMAR": "Mymr",
    "SYRIAC": "Syrc", "THAANA": "Thaa", "MONGOLIAN": "Mong", "TIBETAN": "Tibt",
    "GUJARATI": "Gujr", "GURMUKHI": "Guru", "KANNADA": "Knda", "MALAYALAM": "Mlym",
    "TELUGU": "Telu", "SINHALA": "Sinh", "ORIYA": "Orya",
}


@lru_cache(maxsize=4096)
def script_of(char: str) -> str | None:
    """Return the ISO 15924 script of one letter, or None for a non-letter.

    Parameters
    ----------
    char
        A single character.

    Returns
    -------
    str or None
        ``'Latn'``, ``'Cyrl'``, ``'Hani'``, ``'Hira'``, ``'Kana'`` ..., ``'Zzzz'`` for a
        letter of a script not in the table, None for digits, marks and punctuation.
    """
    if not char.isalpha():
        return None
    if char.isascii():
        return "Latn"
    if char in "\u3005\u3006":
        return "Hani"
    name = unicodedata.name(char, "")
    for words in (2, 1):
        prefix = " ".join(name.split(" ")[:words])
        if prefix in _SCRIPT_BY_NAME_PREFIX:
            return _SCRIPT_BY_NAME_PREFIX[prefix]
    return "Zzzz"


def dominant_script(text: str) -> str:
    """Return the ISO 15924 script most letters of ``text`` are written in.

    Kana together with kanji count as Japanese (``Jpan``); kanji alone stay ``Hani``, since
    they may as well be Chinese. Ties go to the script seen first; no letters gives ``Zyyy``.

    Parameters
    ----------
    text
        NFKC-normalised text.

    Returns
    -------
    str
        An ISO 15924 code.
    """
    if text.isascii():
        return "Latn" if ASCII_LETTER.search(text) else "Zyyy"
    # Counted in C; a Counter keeps the order scripts are first seen in, as ties need.
    counts: dict[str, int] = Counter(map(script_of, text))
    counts.pop(None, None)  # type: ignore[call-overload]
    if not counts:
        return "Zyyy"
    if "Hira" in counts or "Kana" in counts:
        japanese = counts.pop("Hira", 0) + counts.pop("Kana", 0) + counts.pop("Hani", 0)
        counts = {"Jpan": japanese, **counts}
    return max(counts, key=counts.__getitem__)
