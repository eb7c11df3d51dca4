"""The compiled core of bulkscreen: numba kernels over NumPy arrays.

This package imports numpy and numba only (a test enforces it). Strings travel as
(uint32 code points, int64 offsets); ids are int32; scores float32 in [0, 1]; dates int32
days since the epoch; parameter values float64 in SI units with a validity mask.
Kernel modules are imported lazily by their callers so ``import bulkscreen_kernels`` is cheap.
"""

__version__ = "0.1.0"
