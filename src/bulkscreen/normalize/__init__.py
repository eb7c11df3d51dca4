"""Name normalisation, versioned: fold, transliterate and tokenise names for matching.

Steps, in order: invisible (zero-width, bidi) characters removed; NFKC (full-width Latin,
half-width kana); Cyrillic and Greek look-alikes inside Latin words mapped to Latin; case
folded; legal forms and honorifics in scripts without spaces removed (株式会社, ㈱, 様);
kana romanised (kanji kept, or read with the optional ``kanji`` extra); Cyrillic, Greek,
Arabic, Hangul and diacritics transliterated with anyascii; apostrophes join, other
punctuation splits, ``&`` reads ``and``; romaji long vowels folded (ou, oo -> o; uu -> u);
initials joined (J.P. -> jp); legal forms and honorifics removed as words.

Person name order is not rewritten: the matcher's order-insensitive features handle it,
and :func:`name_order_variants` gives the orders for order-sensitive scorers.
"""

from bulkscreen.normalize.encode import decode_strings, encode_strings
from bulkscreen.normalize.names import (
    KANJI_NORMALIZATION_VERSION,
    NORMALIZATION_VERSION,
    NormalizedName,
    clear_name_cache,
    entity_kind,
    name_order_variants,
    normalize_name,
    normalize_names,
)

__all__ = [
    "KANJI_NORMALIZATION_VERSION",
    "NORMALIZATION_VERSION",
    "NormalizedName",
    "clear_name_cache",
    "decode_strings",
    "encode_strings",
    "entity_kind",
    "name_order_variants",
    "normalize_name",
    "normalize_names",
]
