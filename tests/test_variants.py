"""Name variants: each kind changes the name as its kind says, deterministically, or says None."""

from __future__ import annotations

import doctest
import re
import unicodedata

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkscreen.tools.generate import variants
from bulkscreen.tools.generate.variants import VARIANT_KINDS, make_variant

NAMES = [
    ("ROSOBORONEXPORT JSC", "organisation"),
    ("Ivan Ivanovich PETROV", "person"),
    ("Beijing Institute of Technology", "organisation"),
    ("OOO Stroytransgaz", "organisation"),
    ("Toshiba Co., Ltd.", "organisation"),
    ("KHAN, Abdul Qadeer", "person"),
    ("Shahid Hemmat Industrial Group", "organisation"),
    ("Mahan Air", "organisation"),
]


def _rng(seed: int = 7) -> np.random.Generator:
    return np.random.default_rng(seed)


def _levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


@pytest.mark.parametrize("kind", VARIANT_KINDS)
@pytest.mark.parametrize(("name", "entity_type"), NAMES)
def test_variant_is_deterministic_and_differs(kind, name, entity_type):
    first = make_variant(name, kind, _rng(), entity_type=entity_type)
    second = make_variant(name, kind, _rng(), entity_type=entity_type)
    assert first == second
    if first is not None:
        assert first != name
        assert first.strip()


@pytest.mark.parametrize("kind", VARIANT_KINDS)
def test_each_kind_applies_to_a_typical_name(kind):
    name, entity_type = "Novosibirsk Instrument Making Plant JSC", "organisation"
    assert make_variant(name, kind, _rng(), entity_type=entity_type) not in (None, name)


def test_typo_is_one_edit_in_a_long_token():
    for seed in range(200):
        result = make_variant("Shahid Hemmat Industrial Group", "typo", _rng(seed))
        assert result is not None
        distance = _levenshtein(result, "Shahid Hemmat Industrial Group")
        # A transposition counts as two Levenshtein edits.
        assert 1 <= distance <= 2


def test_typo_needs_a_token_of_four_characters():
    assert make_variant("Li Wei", "typo", _rng()) is None
    assert make_variant("AB CD", "typo", _rng()) is None


def test_token_order_swaps_two_tokens_and_reads_comma_form():
    assert make_variant("Ivan Petrov", "token_order", _rng()) == "Petrov Ivan"
    assert make_variant("KHAN, Abdul Qadeer", "token_order", _rng()) == "Abdul Qadeer KHAN"


def test_token_order_keeps_the_same_tokens():
    for seed in range(50):
        result = make_variant("Sergei Viktorovich Chemezov", "token_order", _rng(seed))
        assert sorted(result.split()) == sorted(["Sergei", "Viktorovich", "Chemezov"])


def test_token_order_moves_a_legal_form_as_one_unit():
    result = make_variant("Toshiba Machine Co., Ltd.", "token_order", _rng(),
                          entity_type="organisation")
    assert result == "Machine Toshiba Co., Ltd."


def test_token_order_needs_two_tokens():
    assert make_variant("ROSATOM", "token_order", _rng()) is None
    assert make_variant("東芝", "token_order", _rng()) is None
    assert make_variant("株式会社東芝", "token_order", _rng()) == "東芝株式会社"


def test_dropped_part_drops_a_middle_token_only():
    for seed in range(50):
        result = make_variant("Ivan Ivanovich Petrov Junior", "dropped_part", _rng(seed))
        tokens = result.split()
        assert len(tokens) == 3
        assert tokens[0] == "Ivan"
        assert tokens[-1] == "Junior"
    assert make_variant("Ivan Petrov", "dropped_part", _rng()) is None


def test_dropped_part_keeps_the_family_and_first_given_name():
    for seed in range(20):
        assert make_variant("KUZMIN, Pavel Vladimirovich", "dropped_part",
                            _rng(seed)) == "KUZMIN, Pavel"
        result = make_variant("OSORIO ZAMBRANO, Carlos Alberto Jose", "dropped_part",
                              _rng(seed))
        assert result in ("OSORIO ZAMBRANO, Carlos Jose", "OSORIO ZAMBRANO, Carlos Alberto")
    assert make_variant("PETROV, Ivan", "dropped_part", _rng()) is None  # no middle name


def test_transliteration_respells_or_changes_script():
    assert make_variant("Иван Петров", "transliteration", _rng()) == "Ivan Petrov"
    assert make_variant("ИВАН ПЕТРОВ", "transliteration", _rng()) == "IVAN PETROV"
    seen = {make_variant("Yuriy Khrunichev", "transliteration", _rng(s)) for s in range(60)}
    assert "Юрий Хруничев" in seen
    assert any(v and re.fullmatch(r"[A-Za-z ]+", v) for v in seen)
    assert all(v and v != "Yuriy Khrunichev" for v in seen)


def test_transliteration_leaves_the_legal_form_alone():
    for seed in range(40):
        result = make_variant("OOO Stroytransgaz", "transliteration", _rng(seed))
        assert result is not None
        assert result.startswith(("OOO ", "ООО "))


def test_transliteration_does_not_apply_without_a_rule():
    assert make_variant("株式会社東芝", "transliteration", _rng()) is None


def test_legal_form_swaps_strips_or_adds():
    outcomes = {
        make_variant("Stroytransgaz LLC", "legal_form", _rng(s), entity_type="organisation")
        for s in range(80)
    }
    assert "Stroytransgaz" in outcomes
    assert "OOO Stroytransgaz" in outcomes or "ООО Stroytransgaz" in outcomes
    assert make_variant("Toshiba", "legal_form", _rng(), entity_type="organisation").startswith(
        "Toshiba "
    )
    swapped = {
        make_variant("Toshiba Co., Ltd.", "legal_form", _rng(s), entity_type="organisation")
        for s in range(80)
    }
    assert "株式会社Toshiba" in swapped or "Toshiba KK" in swapped


def test_legal_form_does_not_apply_to_persons():
    assert make_variant("Ivan Petrov", "legal_form", _rng(), entity_type="person") is None
    assert make_variant("Ivan Petrov", "legal_form", _rng()) is None
    assert make_variant("Acme LLC", "legal_form", _rng(), entity_type="person") is None


def test_homoglyph_keeps_the_look_of_the_name():
    for seed in range(100):
        result = make_variant("Mahan Air", "homoglyph", _rng(seed))
        visible = "".join(ch for ch in result if unicodedata.category(ch) != "Cf")
        assert len(visible) == len("Mahan Air")
        differing = sum(a != b for a, b in zip(visible, "Mahan Air", strict=True))
        assert differing <= 2
        assert all(ord(ch) > 127 for a, ch in zip("Mahan Air", visible, strict=True) if a != ch)


def test_unknown_kind_is_an_error():
    with pytest.raises(ValueError, match="unknown variant kind"):
        make_variant("Acme", "soundex", _rng())


def test_empty_name_gives_none():
    for kind in VARIANT_KINDS:
        assert make_variant("  ", kind, _rng()) is None


@settings(max_examples=150, deadline=None)
@given(
    name=st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30
    ),
    kind=st.sampled_from(VARIANT_KINDS),
    seed=st.integers(0, 2**32 - 1),
)
def test_any_name_gives_a_different_name_or_none(name, kind, seed):
    result = make_variant(name, kind, np.random.default_rng(seed))
    assert result is None or (result != name and result.strip())
    assert result == make_variant(name, kind, np.random.default_rng(seed))


def test_docstring_examples():
    assert doctest.testmod(variants).failed == 0
