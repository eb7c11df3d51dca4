"""Derived quantities: parameters computed from others before classification.

Each function takes SI columns and their validity masks and returns the derived column and
its mask. A derived value is used only when the parameter is not given directly.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

G0 = 9.80665  # standard gravity, m/s^2: specific quantities divide by specific weight

Column = tuple[np.ndarray, np.ndarray]


def _specific(strength: Column, density: Column) -> Column:
    (s, s_ok), (d, d_ok) = strength, density
    ok = s_ok & d_ok & (d > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ok, s / (np.where(ok, d, 1.0) * G0), 0.0), ok


def _tpp(mac_tops: Column, bit_length: Column) -> Column:
    (m, m_ok), (b, b_ok) = mac_tops, bit_length
    ok = m_ok & b_ok
    return np.where(ok, 2.0 * m * b, 0.0), ok


def _cmm_mpe_excess(mpe: Column, length: Column) -> Column:
    # E0,MPE limit (1.7 + L/1000) um with L in mm equals 1.7e-6 m + L[m] * 1e-6.
    (e, e_ok), (length_m, l_ok) = mpe, length
    ok = e_ok & l_ok
    return np.where(ok, e - (1.7e-6 + length_m * 1e-6), 0.0), ok


def _resolvable(k: float) -> Callable[[Column, Column], Column]:
    # Minimum resolvable feature: wavelength x K / numerical aperture.
    def feature(wavelength: Column, aperture: Column) -> Column:
        (w, w_ok), (na, na_ok) = wavelength, aperture
        ok = w_ok & na_ok & (na > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(ok, w * k / np.where(ok, na, 1.0), 0.0), ok

    return feature


def _unit_value(value: Column, quantity: Column) -> Column:
    (v, v_ok), (q, q_ok) = value, quantity
    ok = v_ok & q_ok & (q > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ok, v / np.where(ok, q, 1.0), 0.0), ok


DERIVED_FUNCTIONS: dict[str, Callable[..., Column]] = {
    "specific_modulus": _specific,
    "specific_tensile_strength": _specific,
    "tpp": _tpp,
    "cmm_mpe_excess": _cmm_mpe_excess,
    "unit_value_jpy": _unit_value,
    "mrf": _resolvable(0.35),
    "mrf_k025": _resolvable(0.25),
}
"""Implementation of every derived parameter the rule data may declare, by name."""
