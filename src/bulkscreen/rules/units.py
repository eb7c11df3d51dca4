"""Units of rule parameters: every value is converted to SI with pint before comparison.

The registry is created on first use (pint's start-up costs a fraction of a second) and
extended with the units export-control texts use: samples per second (MSPS, GSPS), weighted
teraflops (WT), Gy(Si), frames per second and cc. Conversions are cached per unit text, so a
batch pays for pint once per distinct unit, not once per value.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_EXTRA_DEFINITIONS = (
    "SPS = 1 / second",
    "kSPS = 1e3 / second",
    "MSPS = 1e6 / second",
    "GSPS = 1e9 / second",
    "weighted_teraflops = [weighted_flops] = WT",
    "cc = centimeter ** 3",
)

# Spellings found in public texts, rewritten to what pint parses. Order matters: longer first.
_SPELLINGS = (
    (re.compile(r"gy\s*\(\s*si\s*\)", re.IGNORECASE), "Gy"),
    (re.compile(r"µ|μ"), "u"),
    (re.compile(r"°\s*/\s*h(r|our)?\b"), "deg/h"),
    (re.compile(r"°C"), "degC"),
    (re.compile(r"°"), "deg"),
    (re.compile(r"\bframes?\s*/\s*s(ec(ond)?)?\b", re.IGNORECASE), "1/s"),
    (re.compile(r"\bfps\b"), "1/s"),
    (re.compile(r"\bGbps\b"), "Gbit/s"),
    (re.compile(r"\bMbps\b"), "Mbit/s"),
    (re.compile(r"\bGByte/s\b"), "GB/s"),
    (re.compile(r"\bbits\b"), "bit"),
    (re.compile(r"\bTOPS\b"), "1"),
    (re.compile(r"\bmm2\b"), "mm**2"),
)

DIMENSIONLESS_UNITS = ("", "1", "-", "count")


class UnitError(ValueError):
    """A unit text cannot be used for a parameter (missing, unknown or incompatible)."""


@dataclass(frozen=True)
class Conversion:
    """Affine map from a unit to SI: ``si = value * scale + offset``."""

    scale: float
    offset: float
    dimensionality: str


@functools.lru_cache(maxsize=1)
def registry():
    """Return the project's pint UnitRegistry, created on first use.

    Returns
    -------
    pint.UnitRegistry
        A registry with the export-control unit definitions added.
    """
    import pint

    ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    for definition in _EXTRA_DEFINITIONS:
        ureg.define(definition)
    return ureg


def normalise_unit_text(unit: str | None) -> str:
    """Return ``unit`` rewritten to a spelling pint parses ('µm' -> 'um', 'Gy(Si)' -> 'Gy')."""
    text = (unit or "").strip()
    for pattern, replacement in _SPELLINGS:
        text = pattern.sub(replacement, text)
    return text


@functools.lru_cache(maxsize=4096)
def conversion(unit: str | None) -> Conversion:
    """Return the affine conversion of ``unit`` to SI base units.

    Parameters
    ----------
    unit
        Unit text as written in the data or the input (``'um'``, ``'MSPS'``, ``'degC'``);
        empty or ``'1'`` means dimensionless.

    Returns
    -------
    Conversion
        Scale, offset and the dimensionality as text.

    Raises
    ------
    UnitError
        When pint does not know the unit.
    """
    text = normalise_unit_text(unit)
    if text in DIMENSIONLESS_UNITS:
        return Conversion(1.0, 0.0, "dimensionless")
    ureg = registry()
    try:
        zero = ureg.Quantity(0.0, text).to_base_units()
        one = ureg.Quantity(1.0, text).to_base_units()
    except Exception as exc:  # pint raises several unrelated types for unparsable units
        raise UnitError(f"unknown unit {unit!r} ({exc.__class__.__name__})") from None
    dims = str(one.dimensionality) if not one.dimensionless else "dimensionless"
    return Conversion(float(one.magnitude - zero.magnitude), float(zero.magnitude), dims)


def to_si(value: float, unit: str | None) -> float:
    """Return ``value`` in ``unit`` converted to SI base units."""
    conv = conversion(unit)
    return value * conv.scale + conv.offset


@functools.lru_cache(maxsize=4096)
def input_conversion(unit: str | None, expected_unit: str) -> Conversion:
    """Return the conversion of an input value's unit, checked against the parameter's unit.

    Parameters
    ----------
    unit
        Unit the input value was written in; missing is allowed only for dimensionless
        parameters.
    expected_unit
        Unit of the parameter in the rule data.

    Raises
    ------
    UnitError
        When the unit is missing for a dimensional parameter, unknown, or of another
        dimension than the parameter's.
    """
    expected = conversion(expected_unit)
    if normalise_unit_text(unit) in DIMENSIONLESS_UNITS and expected.dimensionality != (
        "dimensionless"
    ):
        raise UnitError(f"unit missing; expected a unit of {expected.dimensionality} such "
                          f"as {expected_unit!r}")
    got = conversion(unit)
    if got.dimensionality != expected.dimensionality:
        raise UnitError(f"unit {unit!r} is {got.dimensionality}, not "
                          f"{expected.dimensionality} like {expected_unit!r}")
    return got


def format_si(value_si: float, unit: str) -> str:
    """Return an SI value written back in ``unit`` for explanations, e.g. ``'0.8 um'``."""
    conv = conversion(unit)
    shown = (value_si - conv.offset) / conv.scale
    text = f"{shown:.6g}"
    return text if unit in DIMENSIONLESS_UNITS else f"{text} {unit}"
