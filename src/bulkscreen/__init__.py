"""bulkscreen: batch screening for security export control.

Large shipment and personnel files stream in as Arrow batches, a numba core scores them
against compiled list and rule data, and results stream out as Parquet with a manifest.
"""

__version__ = "0.1.0"

_API = ("screen_parties", "screen_shipments", "screen_persons", "audit_shipments")
__all__ = ["__version__", *_API]


def __getattr__(name: str) -> object:
    # The Python API is imported on first use, so `import bulkscreen` (and the CLI) stays light.
    if name in _API:
        from bulkscreen import api

        return getattr(api, name)
    raise AttributeError(f"module 'bulkscreen' has no attribute {name!r}")
