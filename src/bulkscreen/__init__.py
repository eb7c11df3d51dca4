"""bulkscreen: batch screening for security export control.

Large shipment and personnel files stream in as Arrow batches, a numba core scores them
against compiled list and rule data, and results stream out as Parquet with a manifest.
"""

__version__ = "0.1.0"
