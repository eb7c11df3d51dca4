"""Arrow columns to the text forms a CSV input file uses (see ``Column.text_form``).

Lists of strings become ``'|'``-separated text, parameters ``'name=value unit; ...'``, other
lists of structs ``'field|field|field; ...'``, dates ISO ``YYYY-MM-DD`` and booleans
``true``/``false``. Everything is Arrow compute, so a batch converts without a Python loop.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from bulkscreen.columns import PARAMETER_TYPE

LIST_SEPARATOR = "|"
ELEMENT_SEPARATOR = "; "
DIMENSIONLESS_UNIT = "1"


def _value_text(values: pa.Array) -> pa.Array:
    if pa.types.is_boolean(values.type):
        return pc.if_else(values, "true", "false")
    return pc.cast(values, pa.string())


def _parameters_text(struct: pa.StructArray) -> pa.Array:
    name = struct.field("name")
    value = _value_text(struct.field("value"))
    unit = struct.field("unit")
    with_unit = pc.binary_join_element_wise(
        pc.binary_join_element_wise(name, value, "="), unit, " "
    )
    # A dimensionless quantity is written without its unit: 'simultaneous_axes=5'.
    plain = pc.binary_join_element_wise(name, value, "=")
    dimensionless = pc.fill_null(pc.equal(unit, DIMENSIONLESS_UNIT), True)
    return pc.if_else(dimensionless, plain, with_unit)


def _struct_text(struct: pa.StructArray) -> pa.Array:
    if struct.type == PARAMETER_TYPE:
        return _parameters_text(struct)
    fields = [
        pc.fill_null(_value_text(struct.field(i)), "") for i in range(struct.type.num_fields)
    ]
    return pc.binary_join_element_wise(*fields, LIST_SEPARATOR)


def column_text(array: pa.Array) -> pa.Array:
    """Return the text form of one column; nulls stay null (an empty CSV cell).

    Parameters
    ----------
    array
        A column of a SHIPMENTS or PERSONS table.

    Returns
    -------
    pyarrow.StringArray
    """
    kind = array.type
    if pa.types.is_string(kind):
        return array
    if pa.types.is_list(kind):
        values = array.values
        if pa.types.is_struct(values.type):
            elements = _struct_text(values)
            separator = ELEMENT_SEPARATOR
        else:
            elements = _value_text(values)
            separator = LIST_SEPARATOR
        rebuilt = pa.ListArray.from_arrays(array.offsets, elements, mask=array.is_null())
        joined = pc.binary_join(rebuilt, separator)
        # An empty list is a declared "none"; an empty cell would read back as unknown.
        declared_none = pc.and_(pc.is_valid(array), pc.equal(pc.list_value_length(array), 0))
        return pc.if_else(declared_none, pa.scalar("none"), joined)
    return _value_text(array)


def table_text(table: pa.Table) -> pa.Table:
    """Return ``table`` with every column in its text form (all columns strings)."""
    columns = [column_text(pa.concat_arrays(col.chunks) if col.num_chunks != 1 else col.chunk(0))
               for col in table.columns]
    return pa.table(columns, names=table.column_names)
