"""Name variants with a known kind: the perturbations a real query applies to a listed name.

``make_variant`` turns a list name into a name a screening engine should still match (a typo,
another romanisation, a swapped legal form, a look-alike letter...). The generators use it to
plant listed parties at a known rate, and the accuracy benchmark uses it to build labelled
pairs. Every random choice comes from the caller's ``numpy.random.Generator``, so the same
generator state always gives the same variant.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

VARIANT_KINDS = (
    "typo",
    "token_order",
    "dropped_part",
    "transliteration",
    "legal_form",
    "homoglyph",
)

_TOKEN_SPLIT = re.compile(r"\s+")


# ---------------------------------------------------------------------------------------------
# Helpers


def _pick(rng: np.random.Generator, items: list | tuple):
    """Return one element of ``items`` chosen by ``rng``."""
    return items[int(rng.integers(len(items)))]


def _match_case(template: str, text: str) -> str:
    """Write ``text`` in the letter case of ``template`` (UPPER, Title or as given)."""
    if template.isupper() and any(ch.isalpha() for ch in template):
        return text.upper()
    if template[:1].isupper():
        return text[:1].upper() + text[1:]
    return text


def _is_all_caps_name(name: str) -> bool:
    letters = [ch for ch in name if ch.isalpha() and ch.isascii()]
    return bool(letters) and all(ch.isupper() for ch in letters)


# ---------------------------------------------------------------------------------------------
# typo: one edit inside one token of length >= 4

_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_KEY_NEIGHBOURS: dict[str, str] = {}
for _row_index, _row in enumerate(_KEYBOARD_ROWS):
    for _col, _key in enumerate(_row):
        near = _row[max(0, _col - 1) : _col] + _row[_col + 1 : _col + 2]
        for _other in (_row_index - 1, _row_index + 1):
            if 0 <= _other < len(_KEYBOARD_ROWS):
                near += _KEYBOARD_ROWS[_other][max(0, _col - 1) : _col + 1]
        _KEY_NEIGHBOURS[_key] = near


def _replacement_letter(original: str, token: str, rng: np.random.Generator) -> str:
    """A letter to type instead of ``original``: a keyboard neighbour, else one from the token."""
    lower = original.lower()
    if lower in _KEY_NEIGHBOURS:
        choice = _pick(rng, _KEY_NEIGHBOURS[lower])
        return choice.upper() if original.isupper() else choice
    pool = sorted({ch for ch in token if ch.isalpha() and ch != original})
    return _pick(rng, pool) if pool else ""


def _typo_token(token: str, rng: np.random.Generator) -> str | None:
    operations = ["substitute", "insert", "delete", "transpose"]
    while operations:
        operation = operations.pop(int(rng.integers(len(operations))))
        if operation == "transpose":
            pairs = [i for i in range(len(token) - 1) if token[i] != token[i + 1]]
            if pairs:
                i = _pick(rng, pairs)
                return token[:i] + token[i + 1] + token[i] + token[i + 2 :]
        elif operation == "delete":
            i = int(rng.integers(len(token)))
            return token[:i] + token[i + 1 :]
        else:
            letters = [i for i, ch in enumerate(token) if ch.isalpha()]
            if not letters:
                continue
            i = _pick(rng, letters)
            new = _replacement_letter(token[i], token, rng)
            if not new or new == token[i]:
                continue
            if operation == "substitute":
                return token[:i] + new + token[i + 1 :]
            return token[:i] + new + token[i:]
    return None


def _typo(name: str, rng: np.random.Generator, entity_type: str | None) -> str | None:
    tokens = name.split(" ")
    candidates = [i for i, tok in enumerate(tokens) if sum(ch.isalnum() for ch in tok) >= 4]
    if not candidates:
        return None
    index = _pick(rng, candidates)
    changed = _typo_token(tokens[index], rng)
    if changed is None:
        return None
    tokens[index] = changed
    return " ".join(tokens)


# ---------------------------------------------------------------------------------------------
# token_order: given/family order swapped or tokens rotated


def _token_order(name: str, rng: np.random.Generator, entity_type: str | None) -> str | None:
    found = _find_legal_form(name) if entity_type != "person" else None
    if found is not None:
        # The legal form moves as one unit: reorder the rest, keep the form where it was.
        match = found[0]
        rest = _tidy(name[: match.start()] + " " + name[match.end() :])
        form = match.group(0)
        form_first = not name[: match.start()].strip()
        reordered = _reorder_tokens(rest, rng) if rest else None
        gap = "" if form in _CJK_FORMS else " "
        if reordered is None:
            # A single-token rest: the form moves to the other side (株式会社東芝 -> 東芝株式会社).
            return f"{rest}{gap}{form}" if form_first else f"{form}{gap}{rest}"
        return f"{form}{gap}{reordered}" if form_first else f"{reordered}{gap}{form}"
    return _reorder_tokens(name, rng)


def _reorder_tokens(name: str, rng: np.random.Generator) -> str | None:
    if "," in name:
        # "FAMILY, Given Middle" -> "Given Middle FAMILY", the commonest reordering in lists.
        head, _, tail = name.partition(",")
        head, tail = head.strip(), tail.strip()
        if head and tail:
            return f"{tail} {head}"
    tokens = [tok for tok in _TOKEN_SPLIT.split(name.strip()) if tok]
    if len(tokens) < 2 or len(set(tokens)) < 2:
        return None
    if len(tokens) == 2:
        reordered = [tokens[1], tokens[0]]
    else:
        options = ["last_first", "first_last", "swap_first_two"]
        option = _pick(rng, options)
        if option == "last_first":
            reordered = [tokens[-1], *tokens[:-1]]
        elif option == "first_last":
            reordered = [*tokens[1:], tokens[0]]
        else:
            reordered = [tokens[1], tokens[0], *tokens[2:]]
    if reordered == tokens:
        reordered = tokens[::-1]
    result = " ".join(reordered)
    return result if result != name else None


# ---------------------------------------------------------------------------------------------
# dropped_part: a middle token of a name with three or more tokens is left out


def _dropped_part(name: str, rng: np.random.Generator, entity_type: str | None) -> str | None:
    tokens = [tok for tok in _TOKEN_SPLIT.split(name.strip()) if tok]
    if len(tokens) < 3:
        return None
    # In "FAMILY, Given Middle" the middle names follow the first given name: the token
    # after the comma is the given name, which a variant of the same name keeps.
    family = next((i for i, tok in enumerate(tokens[:-1]) if tok.endswith(",")), None)
    first = 1 if family is None else family + 2
    last = len(tokens) - 1 if family is None else len(tokens)
    if first >= last:
        return None
    index = first + int(rng.integers(last - first))
    result = " ".join(tokens[:index] + tokens[index + 1 :])
    return result if result != name else None


# ---------------------------------------------------------------------------------------------
# transliteration: another romanisation, or the other script (Latin <-> Cyrillic)

# (pattern, replacement) in lower case; applied to one occurrence, case kept.
_ROMANISATION_RULES: tuple[tuple[str, str], ...] = (
    (r"kh", "h"),
    (r"\bh(?=[aeiou])", "kh"),
    (r"y(?=[aeiou])", "j"),
    (r"\bj(?=[aeiou])", "y"),
    (r"ou", "o"),
    (r"oh(?![aeiou])", "o"),
    (r"uu", "u"),
    (r"ō", "ou"),
    (r"ū", "uu"),
    (r"v", "w"),
    (r"w", "v"),
    (r"ts", "tz"),
    (r"tz", "ts"),
    (r"sch", "sh"),
    (r"sh(?!ch)", "sch"),
    (r"iy\b", "i"),
    (r"ii\b", "iy"),
    (r"yi\b", "yy"),
    (r"ya", "ia"),
    (r"ia", "ya"),
    (r"yu", "iu"),
    (r"iu", "yu"),
    (r"yo", "io"),
    (r"zh", "j"),
    (r"ks", "x"),
    (r"x", "ks"),
    (r"ph", "f"),
    (r"ee", "i"),
    (r"oo", "u"),
    (r"ck", "k"),
    (r"ei", "ey"),
    (r"ai", "ay"),
    (r"ay\b", "ai"),
    (r"mm", "m"),
    (r"ss", "s"),
)
_COMPILED_RULES = tuple(
    (re.compile(pattern, re.IGNORECASE), replacement)
    for pattern, replacement in _ROMANISATION_RULES
)

# Russian Latin spellings back to Cyrillic, longest first (a reverse of BGN/PCGN-like schemes).
_LATIN_TO_CYRILLIC: tuple[tuple[str, str], ...] = (
    ("shch", "щ"), ("iy", "ий"), ("yy", "ый"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"),
    ("ch", "ч"), ("sh", "ш"), ("yu", "ю"), ("ya", "я"), ("yo", "ё"), ("ye", "е"),
    ("a", "а"), ("b", "б"), ("v", "в"), ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"),
    ("i", "и"), ("y", "ы"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"),
    ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"), ("c", "к"),
    ("h", "х"), ("j", "й"), ("w", "в"), ("x", "кс"), ("q", "к"),
)
_CYRILLIC_TO_LATIN: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u",
}
_RUSSIAN_LOOKING = re.compile(
    r"(ov|ev|ova|eva|in|ina|sky|skiy|skii|skaya|enko|vich|vna|uk|yuk|shchenko)\b"
    r"|zh|kh|shch|\b(ooo|oao|zao|pao|ao|fgup|nii|npo|nauchno|zavod|kombinat|obyedineniye)\b",
    re.IGNORECASE,
)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")
_LATIN = re.compile(r"[A-Za-z]")


def _latin_to_cyrillic(name: str) -> str:
    out: list[str] = []
    lower = name.lower()
    i = 0
    while i < len(name):
        for latin, cyrillic in _LATIN_TO_CYRILLIC:
            if lower.startswith(latin, i):
                source = name[i : i + len(latin)]
                out.append(cyrillic.upper() if source[:1].isupper() else cyrillic)
                i += len(latin)
                break
        else:
            out.append(name[i])
            i += 1
    return "".join(out)


def _cyrillic_to_latin(name: str) -> str:
    out: list[str] = []
    for ch in name:
        latin = _CYRILLIC_TO_LATIN.get(ch.lower())
        if latin is None:
            out.append(ch)
        elif ch.isupper():
            caps = _is_all_caps_cyrillic(name)
            out.append(latin.upper() if caps else latin[:1].upper() + latin[1:])
        else:
            out.append(latin)
    return "".join(out)


def _is_all_caps_cyrillic(name: str) -> bool:
    letters = [ch for ch in name if _CYRILLIC.match(ch)]
    return bool(letters) and all(ch.isupper() for ch in letters)


def _romanise_once(name: str, rng: np.random.Generator) -> str | None:
    # A legal form ("OOO", "Co., Ltd.") is not a name to respell.
    found = _find_legal_form(name)
    protected = range(found[0].start(), found[0].end()) if found else range(0)

    def free_matches(rule: re.Pattern[str]) -> list[re.Match[str]]:
        return [
            m for m in rule.finditer(name)
            if m.start() not in protected and (m.end() - 1) not in protected
        ]

    applicable = [(rule, repl) for rule, repl in _COMPILED_RULES if free_matches(rule)]
    while applicable:
        rule, replacement = applicable.pop(int(rng.integers(len(applicable))))
        matches = free_matches(rule)
        match = _pick(rng, matches)
        new = _match_case(match.group(0), replacement)
        if match.group(0).isupper() and len(match.group(0)) == 1 and not _is_all_caps_name(name):
            new = replacement[:1].upper() + replacement[1:]
        result = name[: match.start()] + new + name[match.end() :]
        if result != name:
            return result
    return None


def _transliteration(
    name: str, rng: np.random.Generator, entity_type: str | None
) -> str | None:
    if _CYRILLIC.search(name):
        result = _cyrillic_to_latin(name)
        return result if result != name else None
    russian = bool(_LATIN.search(name)) and bool(_RUSSIAN_LOOKING.search(name))
    if russian and rng.random() < 0.5:
        return _latin_to_cyrillic(name)
    result = _romanise_once(name, rng)
    if result is None and russian:
        return _latin_to_cyrillic(name)
    return result


# ---------------------------------------------------------------------------------------------
# legal_form: swap for an equivalent, strip, or add

# Each group holds interchangeable spellings of one legal form; the first is the usual suffix.
_LEGAL_FORM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("LLC", "OOO", "ООО", "L.L.C.", "Limited Liability Company"),
    ("JSC", "AO", "АО", "Joint Stock Company", "Joint-Stock Company"),
    ("PJSC", "PAO", "ПАО", "Public Joint Stock Company"),
    ("CJSC", "ZAO", "ЗАО", "Closed Joint Stock Company"),
    ("OJSC", "OAO", "ОАО", "Open Joint Stock Company"),
    ("Co., Ltd.", "Co. Ltd.", "Co Ltd", "Company Limited", "KK", "K.K.", "Kabushiki Kaisha",
     "株式会社"),
    ("Ltd", "Ltd.", "Limited"),
    ("有限公司", "Co., Ltd.", "Company Limited"),
    ("Inc", "Inc.", "Incorporated", "Corporation", "Corp.", "Corp"),
    ("GmbH", "Gesellschaft mit beschränkter Haftung"),
    ("AG", "Aktiengesellschaft"),
    ("PLC", "Public Limited Company"),
    ("Pvt. Ltd.", "Private Limited", "Pvt Ltd"),
    ("S.A.", "SA", "Sociedad Anónima"),
    ("FZE", "FZCO", "FZ-LLC"),
    ("Sdn. Bhd.", "Sdn Bhd"),
    ("LLP", "Limited Liability Partnership"),
)
_PREFIX_FORMS = frozenset({"OOO", "ООО", "AO", "АО", "PAO", "ПАО", "ZAO", "ЗАО", "OAO", "ОАО",
                           "株式会社"})
_CJK_FORMS = frozenset({"株式会社", "有限公司"})
_ADDABLE_FORMS = ("LLC", "Co., Ltd.", "Inc.", "JSC", "Ltd", "GmbH", "Corporation")


def _form_pattern(form: str) -> re.Pattern[str]:
    if form in _CJK_FORMS:
        return re.compile(re.escape(form))
    # Short abbreviations only count in capitals, so a person called "Ao" is not a company.
    flags = re.IGNORECASE if len(form.replace(".", "")) > 3 else 0
    escaped = re.escape(form).replace(r"\ ", r"\s+")
    return re.compile(rf"(?<![\w.]){escaped}(?![\w])", flags)


_FORM_PATTERNS: tuple[tuple[str, int, re.Pattern[str]], ...] = tuple(
    sorted(
        (
            (form, group_index, _form_pattern(form))
            for group_index, group in enumerate(_LEGAL_FORM_GROUPS)
            for form in group
        ),
        key=lambda item: -len(item[0]),
    )
)


def _find_legal_form(name: str) -> tuple[re.Match[str], str, int] | None:
    for form, group_index, pattern in _FORM_PATTERNS:
        match = pattern.search(name)
        if match:
            return match, form, group_index
    return None


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([,.])", r"\1", text)
    return text.strip(" ,-\u3000")


def _legal_form(name: str, rng: np.random.Generator, entity_type: str | None) -> str | None:
    if entity_type == "person":
        return None
    found = _find_legal_form(name)
    caps = _is_all_caps_name(name)
    if found is None:
        if entity_type != "organisation":
            return None
        if _CJK.search(name):
            return f"株式会社{name}" if rng.random() < 0.5 else f"{name}株式会社"
        if _CYRILLIC.search(name):
            return f"ООО {name}"
        form = _pick(rng, _ADDABLE_FORMS)
        return f"{name} {form.upper() if caps else form}"
    match, form, group_index = found
    rest = _tidy(name[: match.start()] + " " + name[match.end() :])
    if rest and rng.random() < 0.35:
        return rest
    alternatives = [alt for alt in _LEGAL_FORM_GROUPS[group_index] if alt != form]
    new_form = _pick(rng, alternatives)
    if caps and new_form.isascii():
        new_form = new_form.upper()
    if not rest:
        return name.replace(match.group(0), new_form, 1)
    if new_form in _CJK_FORMS:
        result = f"{new_form}{rest}" if new_form == "株式会社" else f"{rest}{new_form}"
    elif new_form in _PREFIX_FORMS:
        result = f"{new_form} {rest}"
    elif form in _PREFIX_FORMS or form in _CJK_FORMS:
        result = f"{rest} {new_form}"
    else:
        result = _tidy(name[: match.start()] + new_form + name[match.end() :])
    return result if result != name else None


# ---------------------------------------------------------------------------------------------
# homoglyph: Latin letters replaced by Cyrillic/Greek look-alikes, or a zero-width character

_HOMOGLYPHS: dict[str, str] = {
    "a": "а", "c": "с", "e": "е", "i": "і", "j": "ј", "o": "оο", "p": "р", "s": "ѕ",
    "x": "х", "y": "у", "A": "АΑ", "B": "ВΒ", "C": "С", "E": "ЕΕ", "H": "НΗ", "I": "ІΙ",
    "J": "Ј", "K": "КΚ", "M": "МΜ", "N": "Ν", "O": "ОΟ", "P": "РΡ", "S": "Ѕ", "T": "ТΤ",
    "X": "ХΧ", "Y": "УΥ", "Z": "Ζ",
}
_ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\ufeff")


def _homoglyph(name: str, rng: np.random.Generator, entity_type: str | None) -> str | None:
    positions = [i for i, ch in enumerate(name) if ch in _HOMOGLYPHS]
    if positions and rng.random() < 0.8:
        count = min(len(positions), 1 + int(rng.integers(2)))
        chosen = sorted(rng.choice(len(positions), size=count, replace=False).tolist())
        chars = list(name)
        for k in chosen:
            i = positions[k]
            chars[i] = _pick(rng, _HOMOGLYPHS[chars[i]])
        return "".join(chars)
    if len(name) < 2:
        return None
    i = 1 + int(rng.integers(len(name) - 1))
    return name[:i] + _pick(rng, _ZERO_WIDTH) + name[i:]


# ---------------------------------------------------------------------------------------------

_MAKERS: dict[str, Callable[[str, np.random.Generator, str | None], str | None]] = {
    "typo": _typo,
    "token_order": _token_order,
    "dropped_part": _dropped_part,
    "transliteration": _transliteration,
    "legal_form": _legal_form,
    "homoglyph": _homoglyph,
}


def make_variant(
    name: str,
    kind: str,
    rng: np.random.Generator,
    *,
    entity_type: str | None = None,
) -> str | None:
    """Return a variant of ``name`` of the given kind, or None if the kind does not apply.

    Parameters
    ----------
    name
        The original name, e.g. a list entry's primary name or alias.
    kind
        One of ``VARIANT_KINDS``:

        - ``typo``: one edit (substitute, insert, delete, transpose adjacent) in a token of at
          least four letters or digits.
        - ``token_order``: tokens reordered ("FAMILY, Given" -> "Given FAMILY"; two tokens
          swapped; three or more rotated or the first two swapped).
        - ``dropped_part``: one middle token of a name of three or more tokens left out; in
          ``FAMILY, Given Middle`` a token after the first given name.
        - ``transliteration``: another romanisation (kh/h, y/j, ou/o, v/w, ts/tz, sch/sh,
          iy/i, ya/ia, ...) or the other script (Russian-looking Latin to Cyrillic, Cyrillic
          to Latin).
        - ``legal_form``: the legal form swapped for an equivalent (LLC/OOO, JSC/AO,
          Co., Ltd./KK/株式会社, Inc/Corporation, ...), stripped, or added to an
          organisation that has none.
        - ``homoglyph``: one or two Latin letters replaced by Cyrillic or Greek look-alikes,
          or a zero-width character inserted.
    rng
        Source of every random choice; the same generator state gives the same variant.
    entity_type
        ``"person"`` or ``"organisation"`` when known. ``legal_form`` never applies to a
        person, and adds a legal form only to a known organisation.

    Returns
    -------
    str or None
        A name different from ``name``, or None when the kind does not apply (e.g.
        ``token_order`` on a one-token name, ``legal_form`` on a person).

    Raises
    ------
    ValueError
        If ``kind`` is not one of ``VARIANT_KINDS``.

    Examples
    --------
    >>> import numpy as np
    >>> make_variant("Ivan Petrov", "token_order", np.random.default_rng(0))
    'Petrov Ivan'
    >>> make_variant("Tokyo", "token_order", np.random.default_rng(0)) is None
    True
    """
    maker = _MAKERS.get(kind)
    if maker is None:
        raise ValueError(f"unknown variant kind {kind!r}; expected one of {VARIANT_KINDS}")
    if not name or not name.strip():
        return None
    result = maker(name, rng, entity_type)
    if result is None or result == name or not result.strip():
        return None
    return result
