"""Project-wide numba defaults: every kernel is compiled with the on-disk cache.

``jit`` is the one decorator kernels use. The cache lives where numba puts it unless
``NUMBA_CACHE_DIR`` says otherwise (workers of a distributed engine set it to a folder
that survives across tasks).
"""

from __future__ import annotations

import numba

jit = numba.njit(cache=True, nogil=True)
"""Decorator for serial kernels (no parallel driver)."""

jit_parallel = numba.njit(cache=True, nogil=True, parallel=True)
"""Decorator for parallel drivers that use ``numba.prange`` over independent rows."""

jit_inline = numba.njit(cache=True, nogil=True, inline="always")
"""Decorator for helpers of the per-pair scoring loop, inlined where they are called.

Inlining at numba's level lets the optimiser see through the helpers (tuples of arrays stop
being passed around for every candidate pair), which makes scoring about a fifth faster;
the price is a longer first compile, paid once and cached.
"""
