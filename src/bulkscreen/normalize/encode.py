"""Strings to and from the kernel format: uint32 code points plus int64 offsets."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np


def encode_strings(texts: Sequence[str | None]) -> tuple[np.ndarray, np.ndarray]:
    """Encode strings as one array of code points and an offsets array.

    Parameters
    ----------
    texts
        Strings to encode; None is encoded as the empty string.

    Returns
    -------
    codes : numpy.ndarray
        uint32 code points of all strings, concatenated (C-contiguous, writable).
    offsets : numpy.ndarray
        int64, length ``len(texts) + 1``; string ``i`` is ``codes[offsets[i]:offsets[i+1]]``.

    Examples
    --------
    >>> codes, offsets = encode_strings(["ab", "", "c"])
    >>> offsets.tolist(), codes.tolist()
    ([0, 2, 2, 3], [97, 98, 99])
    """
    values = ["" if text is None else text for text in texts]
    offsets = np.zeros(len(values) + 1, dtype=np.int64)
    if values:
        np.cumsum(np.fromiter(map(len, values), dtype=np.int64, count=len(values)),
                  out=offsets[1:])
    # surrogatepass keeps lone surrogates (possible in Python strings) as their code points.
    raw = "".join(values).encode("utf-32-le", errors="surrogatepass")
    codes = np.frombuffer(raw, dtype=np.uint32).copy()
    return codes, offsets


def decode_strings(codes: np.ndarray, offsets: np.ndarray) -> list[str]:
    """Decode the kernel string format back to Python strings.

    Parameters
    ----------
    codes
        uint32 code points, as from :func:`encode_strings`.
    offsets
        int64 offsets, length n + 1.

    Returns
    -------
    list of str
        The n strings.
    """
    text = np.ascontiguousarray(codes, dtype="<u4").tobytes().decode(
        "utf-32-le", errors="surrogatepass"
    )
    bounds = np.asarray(offsets, dtype=np.int64).tolist()
    return [text[start:end] for start, end in pairwise(bounds)]
