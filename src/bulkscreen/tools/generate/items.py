"""The goods the shipment generator draws: HS codes, descriptions, control entries, parameters.

Controlled-type items carry a few technical parameters whose values are spread around the
control thresholds of domain notes section 9 (Wassenaar/EU values): 40 % below, 40 % above,
20 % exactly at the threshold, half of the off-threshold values near it (within 15 %) and half
far from it. Parameter names and units are the shared vocabulary the rules data uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from bulkscreen.columns import PARAMETER_TYPE
from bulkscreen.tools.generate.sampling import WeightedChoice

SHARE_AT_THRESHOLD = 0.2
SHARE_BELOW = 0.4
SHARE_NEAR = 0.5  # of the off-threshold values, the share within 15 % of the threshold
ALT_UNIT_RATE = 0.15  # off-threshold values written in another unit (mm for um, GSPS for MSPS)
MISSING_PARAMETERS_RATE = 0.1  # controlled-type rows that state no parameters at all


@dataclass(frozen=True)
class ParameterSpec:
    """One technical parameter of an item type and how its values are spread.

    Parameters
    ----------
    name, unit
        Shared vocabulary name and the unit written in input text.
    threshold
        The control threshold the values are spread around.
    integer
        Values are whole numbers (axes, bits, pixels).
    levels
        Discrete values the parameter takes instead of a continuous spread (key lengths,
        wavelengths); the threshold is one of them or lies between them.
    band_of, band_thresholds
        The threshold depends on another parameter of the same item (ADC sample rate by
        resolution): ``band_thresholds`` maps that parameter's levels to thresholds.
    alt_unit, alt_factor
        Another unit the value is sometimes written in, and the factor value_alt = value * f.
    """

    name: str
    unit: str
    threshold: float
    integer: bool = False
    levels: tuple[float, ...] = ()
    band_of: str | None = None
    band_thresholds: dict[float, float] = field(default_factory=dict)
    alt_unit: str | None = None
    alt_factor: float = 1.0


@dataclass(frozen=True)
class ItemType:
    """A kind of goods: HS codes, descriptions, control entries and parameters."""

    key: str
    weight: float
    hs_codes: tuple[str, ...]
    descriptions: tuple[str, ...]
    control_entries: tuple[str, ...] = ()
    parameters: tuple[ParameterSpec, ...] = ()
    value_median_jpy: float = 1_000_000.0
    quantity_median: float = 10.0

    def __post_init__(self) -> None:
        # HS codes and descriptions are drawn at the same position, so they must pair up.
        if len(self.hs_codes) not in (1, len(self.descriptions)):
            raise ValueError(f"item {self.key}: give one HS code or one per description")


def _um(name: str, threshold: float) -> ParameterSpec:
    return ParameterSpec(name, "um", threshold, alt_unit="mm", alt_factor=1e-3)


_AXES_5 = ParameterSpec("simultaneous_axes", "1", 5, integer=True)
_ROTARY_2 = ParameterSpec("contouring_rotary_axes", "1", 2, integer=True)
_TRAVEL = ParameterSpec("travel_length", "m", 1.0, alt_unit="mm", alt_factor=1e3)

CONTROLLED_ITEMS: tuple[ItemType, ...] = (
    ItemType("turning", 2.0, ("845811", "845819", "845891"),
             ("CNC horizontal turning centre", "NC precision lathe", "CNC vertical lathe"),
             ("2B001", "6(2)", "2B201"),
             (_um("repeatability", 0.9), _um("positioning_accuracy", 4.5), _TRAVEL),
             30_000_000, 1),
    ItemType("milling", 2.5, ("845710", "845961", "845710"),
             ("5-axis machining centre", "CNC milling machine", "vertical machining centre"),
             ("2B001", "6(2)", "2B201"),
             (_um("repeatability", 0.9), _um("positioning_accuracy", 4.5), _AXES_5, _ROTARY_2,
              _TRAVEL), 45_000_000, 1),
    ItemType("grinding", 1.0, ("846011", "846022", "846024"),
             ("NC surface grinder", "CNC centreless grinding machine",
              "CNC cylindrical grinding machine"),
             ("2B001", "6(2)", "2B201"),
             (_um("repeatability", 1.1), _um("positioning_accuracy", 3.0),
              ParameterSpec("contouring_axes", "1", 4, integer=True)), 25_000_000, 1),
    ItemType("deep_hole_drilling", 0.3, ("845921", "845929"),
             ("deep-hole drilling machine", "gun drilling machine"), ("2B001", "6(2)"),
             (ParameterSpec("drilling_depth", "m", 5.0, alt_unit="mm", alt_factor=1e3),),
             20_000_000, 1),
    ItemType("edm_laser", 0.7, ("845611", "845630"),
             ("laser cutting machine", "wire EDM machine"), ("2B001", "2B201"),
             (_um("positioning_accuracy", 4.5), _ROTARY_2), 18_000_000, 1),
    ItemType("cmm", 0.6, ("903149",), ("coordinate measuring machine", "CMM with touch probe"),
             ("2B006", "2B206"), (_um("cmm_mpe", 1.7), _TRAVEL), 12_000_000, 1),
    ItemType("carbon_fibre", 1.2, ("681511", "681512", "681519"),
             ("PAN-based carbon fibre tow", "carbon fibre woven fabric", "carbon fibre prepreg"),
             ("1C010", "1C210"),
             (ParameterSpec("specific_modulus", "m", 14.65e6),
              ParameterSpec("specific_tensile_strength", "m", 26.82e4)), 3_000_000, 200),
    ItemType("aluminium_alloy", 1.5, ("760429", "760612", "760820"),
             ("aluminium alloy bar", "high-strength aluminium alloy plate",
              "aluminium alloy tube"),
             ("1C002", "1C202"),
             (ParameterSpec("tensile_strength", "MPa", 415.0),
              ParameterSpec("test_temperature", "K", 298.0, levels=(298.0, 473.0))),
             2_000_000, 500),
    ItemType("rad_hard_ic", 0.5, ("854231", "854232"), ("radiation-hardened microcontroller",
                                               "rad-hard memory IC"), ("3A001",),
             (ParameterSpec("radiation_hardness", "Gy", 5e3),), 800_000, 50),
    ItemType("adc", 1.5, ("854239", "854239"), ("analogue-to-digital converter IC",
                                                "high-speed ADC"), ("3A001", "7(1)"),
             (ParameterSpec("adc_resolution", "bit", 12, integer=True,
                            levels=(8.0, 10.0, 12.0, 14.0, 16.0)),
              ParameterSpec("adc_sample_rate", "MSPS", 400.0, band_of="adc_resolution",
                            band_thresholds={8.0: 1300.0, 10.0: 600.0, 12.0: 400.0,
                                             14.0: 250.0, 16.0: 65.0},
                            alt_unit="GSPS", alt_factor=1e-3)), 400_000, 500),
    ItemType("fpga", 1.5, ("854239", "854239"), ("field programmable gate array",
                                                 "FPGA device"), ("3A001", "7(1)"),
             (ParameterSpec("fpga_user_io", "1", 700, integer=True),
              ParameterSpec("serial_transceiver_rate", "Gbit/s", 500.0)), 600_000, 200),
    ItemType("computer", 2.0, ("847141", "847149", "847150"),
             ("workstation", "high-performance computing server system", "GPU compute server"),
             ("4A003", "8(1)"),
             (ParameterSpec("app", "WT", 70.0),
              ParameterSpec("interconnect_rate", "GB/s", 2.0)), 5_000_000, 4),
    ItemType("crypto_telecom", 2.5, ("851762",),
             ("network encryption appliance", "VPN router", "secure telecom gateway"),
             ("5A002", "9(7)"),
             (ParameterSpec("symmetric_key_length", "bit", 56, integer=True,
                            levels=(40.0, 56.0, 64.0, 128.0, 256.0)),
              ParameterSpec("asymmetric_key_length", "bit", 512, integer=True,
                            levels=(384.0, 512.0, 1024.0, 2048.0, 4096.0)),
              ParameterSpec("ec_key_length", "bit", 112, integer=True,
                            levels=(96.0, 112.0, 160.0, 256.0, 384.0))), 1_500_000, 20),
    ItemType("camera", 1.2, ("852589",), ("high-speed camera", "framing camera",
                                          "industrial inspection camera"), ("6A003",),
             (ParameterSpec("frame_rate", "1/s", 1e6),
              ParameterSpec("active_pixels", "1", 4e6, integer=True)), 3_000_000, 3),
    ItemType("gyro", 0.8, ("901420",), ("fibre optic gyroscope", "ring laser gyro",
                                        "MEMS gyroscope module"), ("7A002", "11(2)"),
             (ParameterSpec("gyro_bias_stability", "deg/h", 0.5),), 2_500_000, 10),
    ItemType("uav", 0.8, ("880621", "880622", "880624", "880692", "880699"),
             ("small unmanned aerial vehicle", "industrial inspection drone",
              "agricultural spraying drone", "unmanned aerial vehicle",
              "long-endurance unmanned aircraft"),
             ("9A012", "4(9)"),
             (ParameterSpec("uav_endurance", "h", 1.0),
              ParameterSpec("uav_range", "km", 300.0),
              ParameterSpec("gust_tolerance", "km/h", 46.3)), 4_000_000, 2),
    ItemType("lithography", 0.4, ("848620",), ("photolithography stepper", "ArF immersion scanner",
                                               "EUV lithography system"), ("3B001",),
             (ParameterSpec("wavelength", "nm", 193.0, levels=(13.5, 193.0, 248.0, 365.0)),
              ParameterSpec("mrf", "nm", 45.0),
              ParameterSpec("overlay_accuracy", "nm", 1.5)), 2_000_000_000, 1),
)

GENERAL_ITEMS: tuple[ItemType, ...] = (
    ItemType("bearings", 6, ("848210", "848220"), ("ball bearings", "tapered roller bearings"),
             value_median_jpy=800_000, quantity_median=2000),
    ItemType("auto_parts", 12, ("870899", "870840", "870830"),
             ("automotive parts", "gearbox assembly", "brake components"),
             value_median_jpy=3_000_000, quantity_median=500),
    ItemType("cars", 6, ("870323", "870340", "870380"),
             ("passenger car", "hybrid passenger car", "electric vehicle"),
             value_median_jpy=4_000_000, quantity_median=2),
    ItemType("plastics", 5, ("392690", "390120"), ("plastic parts", "polyethylene pellets"),
             value_median_jpy=500_000, quantity_median=5000),
    ItemType("steel", 6, ("721049", "720851", "722100"),
             ("galvanised steel sheet", "hot-rolled steel plate", "stainless steel wire rod"),
             value_median_jpy=6_000_000, quantity_median=20000),
    ItemType("wafers", 4, ("381800",), ("silicon wafers", "doped silicon wafers"),
             value_median_jpy=5_000_000, quantity_median=1000),
    ItemType("semiconductor_parts", 5, ("854140", "854231", "853690"),
             ("LED modules", "general-purpose microcontrollers", "electrical connectors"),
             value_median_jpy=1_000_000, quantity_median=10000),
    ItemType("power_electronics", 4, ("850440", "850152"),
             ("power inverter", "AC servo motor"), value_median_jpy=1_200_000,
             quantity_median=50),
    ItemType("pumps_compressors", 3, ("841480", "841370"),
             ("air compressor", "centrifugal pump"), value_median_jpy=900_000,
             quantity_median=20),
    ItemType("medicaments", 3, ("300490",), ("pharmaceutical products",),
             value_median_jpy=2_000_000, quantity_median=1000),
    ItemType("cosmetics", 3, ("330499",), ("skin care cosmetics",),
             value_median_jpy=600_000, quantity_median=3000),
    ItemType("food", 3, ("220830", "030389", "190590"),
             ("whisky", "frozen fish", "rice crackers"), value_median_jpy=700_000,
             quantity_median=2000),
    ItemType("textiles", 2, ("610910", "540752"), ("cotton T-shirts", "polyester fabric"),
             value_median_jpy=400_000, quantity_median=5000),
    ItemType("tyres", 3, ("401110", "401120"), ("passenger car tyres", "truck tyres"),
             value_median_jpy=1_500_000, quantity_median=800),
    ItemType("optics", 2, ("900211", "901380"), ("camera lenses", "optical assemblies"),
             value_median_jpy=1_000_000, quantity_median=100),
    ItemType("consoles", 2, ("950450",), ("video game consoles",),
             value_median_jpy=3_000_000, quantity_median=500),
    ItemType("furniture", 1, ("940360",), ("wooden furniture",),
             value_median_jpy=300_000, quantity_median=40),
)

CONTROLLED_SHARE = 0.3
"""Share of shipment lines that are a controlled-type item (with parameters)."""


@dataclass(frozen=True)
class ItemCatalog:
    """All item types laid out for vectorised draws."""

    items: tuple[ItemType, ...]
    probabilities: np.ndarray

    @classmethod
    def default(cls) -> ItemCatalog:
        """Return the catalog: controlled types share ``CONTROLLED_SHARE`` of the rows."""
        controlled = np.array([i.weight for i in CONTROLLED_ITEMS])
        general = np.array([i.weight for i in GENERAL_ITEMS])
        probabilities = np.concatenate(
            [controlled / controlled.sum() * CONTROLLED_SHARE,
             general / general.sum() * (1 - CONTROLLED_SHARE)]
        )
        return cls(CONTROLLED_ITEMS + GENERAL_ITEMS, probabilities)

    def draw_types(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """Return ``n`` item-type indices drawn by weight."""
        return WeightedChoice(self.probabilities).draw(n, rng)

    def draw_variants(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """Draw one variant number per row; it picks the HS code and the description at the
        same position, so a line's description matches its HS code."""
        return rng.integers(0, 1 << 30, n)

    def strings_by_type(self, item_type: np.ndarray, attribute: str,
                        variant: np.ndarray) -> pa.Array:
        """Return each row's item type's ``attribute`` string at position ``variant``
        (modulo the number of strings); null where the type has none.

        Parameters
        ----------
        item_type
            Item-type index per row.
        attribute
            ``"hs_codes"``, ``"descriptions"`` or ``"control_entries"``.
        variant
            Variant number per row, from ``draw_variants``.
        """
        pools = [getattr(item, attribute) for item in self.items]
        flat = pa.array([s for pool in pools for s in pool] or [""], type=pa.string())
        sizes = np.array([len(pool) for pool in pools])
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        row_sizes = sizes[item_type]
        picks = offsets[item_type] + variant % np.maximum(row_sizes, 1)
        return flat.take(pa.array(np.where(row_sizes > 0, picks, 0), mask=row_sizes == 0))


def round_significant(values: np.ndarray, digits: int = 4) -> np.ndarray:
    """Round to ``digits`` significant digits, so text and binary forms hold the same value.

    The result is the double nearest the decimal (an integer divided or multiplied by an exact
    power of ten), so its shortest text form has at most ``digits`` significant digits.
    """
    values = np.asarray(values, dtype=np.float64)
    rounded = np.array(values)
    finite = np.isfinite(values) & (values != 0)
    if not finite.any():
        return rounded
    chosen = values[finite]
    decimals = digits - 1 - np.floor(np.log10(np.abs(chosen))).astype(np.int64)
    power = 10.0 ** np.abs(decimals)
    rounded[finite] = np.where(
        decimals >= 0, np.round(chosen * power) / power, np.round(chosen / power) * power
    )
    return rounded


def spread_around(thresholds: np.ndarray, rng: np.random.Generator,
                  integer: bool) -> tuple[np.ndarray, np.ndarray]:
    """Draw values around per-row thresholds: 40 % below, 40 % above, 20 % exactly at.

    Returns
    -------
    values, at_threshold
        The values and a mask of rows placed exactly at their threshold.
    """
    n = len(thresholds)
    side = rng.random(n)
    at = side < SHARE_AT_THRESHOLD
    below = (side >= SHARE_AT_THRESHOLD) & (side < SHARE_AT_THRESHOLD + SHARE_BELOW)
    near = rng.random(n) < SHARE_NEAR
    factor = np.where(near, 1 + rng.uniform(0.01, 0.15, n), rng.uniform(1.5, 10.0, n))
    values = np.where(below, thresholds / factor, thresholds * factor)
    if integer:
        # Whole numbers: one step off when near, 20-80 % of the threshold off when far.
        far_step = np.ceil(thresholds * rng.uniform(0.2, 0.8, n))
        step = np.maximum(1, np.where(near, 1, far_step))
        values = np.where(below, np.maximum(0, thresholds - step), thresholds + step)
    else:
        values = round_significant(values)
        # Rounding must not land an off-threshold value on the threshold itself.
        values = np.where(values == thresholds,
                          np.where(below, thresholds * 0.99, thresholds * 1.01), values)
    values = np.where(at, thresholds, values)
    return values, at


def draw_levels(levels: tuple[float, ...], threshold: float, n: int,
                rng: np.random.Generator) -> np.ndarray:
    """Draw discrete levels: 40 % below, 40 % above, 20 % at the threshold where possible."""
    levels_arr = np.array(levels)
    groups = [levels_arr[levels_arr < threshold], levels_arr[levels_arr > threshold],
              levels_arr[levels_arr == threshold]]
    side = rng.random(n)
    which = np.where(side < SHARE_BELOW, 0, np.where(side < 2 * SHARE_BELOW, 1, 2))
    out = levels_arr[(rng.random(n) * len(levels_arr)).astype(np.int64)]
    for g, pool in enumerate(groups):
        rows = which == g
        if len(pool) and rows.any():
            out[rows] = pool[(rng.random(int(rows.sum())) * len(pool)).astype(np.int64)]
    return out


def build_parameters(catalog: ItemCatalog, item_type: np.ndarray,
                     rng: np.random.Generator) -> pa.Array:
    """Build the ``parameters`` column (list of name/value/unit structs) for a batch.

    Rows of a general item type, and ``MISSING_PARAMETERS_RATE`` of the controlled rows, get
    null (no parameters stated).
    """
    n = len(item_type)
    counts = np.array([len(item.parameters) for item in catalog.items])[item_type]
    counts = np.where(rng.random(n) < MISSING_PARAMETERS_RATE, 0, counts)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    total = int(offsets[-1])
    # Names and units travel as indices into a small vocabulary, turned into strings once.
    vocabulary: dict[str, int] = {}
    names = np.zeros(total, dtype=np.int32)
    units = np.zeros(total, dtype=np.int32)
    values = np.zeros(total, dtype=np.float64)
    for type_index, item in enumerate(catalog.items):
        rows = np.flatnonzero((item_type == type_index) & (counts > 0))
        if not item.parameters or not len(rows):
            continue
        drawn: dict[str, np.ndarray] = {}
        for slot, spec in enumerate(item.parameters):
            position = offsets[rows] + slot
            if spec.levels:
                vals = draw_levels(spec.levels, spec.threshold, len(rows), rng)
                at = vals == spec.threshold
            else:
                thresholds = np.full(len(rows), spec.threshold)
                if spec.band_of is not None:
                    keys = drawn[spec.band_of]
                    for level, band_threshold in spec.band_thresholds.items():
                        thresholds[keys == level] = band_threshold
                vals, at = spread_around(thresholds, rng, spec.integer)
            drawn[spec.name] = vals
            unit_code = vocabulary.setdefault(spec.unit, len(vocabulary))
            unit = np.full(len(rows), unit_code, dtype=np.int32)
            if spec.alt_unit is not None:
                alt = (~at) & (rng.random(len(rows)) < ALT_UNIT_RATE)
                vals = np.where(alt, round_significant(vals * spec.alt_factor, 6), vals)
                unit[alt] = vocabulary.setdefault(spec.alt_unit, len(vocabulary))
            names[position] = vocabulary.setdefault(spec.name, len(vocabulary))
            units[position] = unit
            values[position] = vals
    words = pa.array(list(vocabulary) or [""], type=pa.string())
    struct = pa.StructArray.from_arrays(
        [words.take(pa.array(names)), pa.array(values, type=pa.float64()),
         words.take(pa.array(units))],
        fields=list(PARAMETER_TYPE),
    )
    null_mask = pa.array(counts == 0)
    return pa.ListArray.from_arrays(pa.array(offsets), struct, mask=null_mask)
