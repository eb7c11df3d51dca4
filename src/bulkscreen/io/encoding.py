"""Text encodings of CSV input: detect from a sample, and find the first line that breaks one."""

from __future__ import annotations

import codecs
from pathlib import Path

from charset_normalizer import from_bytes

from bulkscreen.errors import InputEncodingError, Location

SAMPLE_BYTES = 4 * 1024 * 1024
"""How much of the file's start the detector looks at."""

# Detector answers that mean "Japanese Shift_JIS family": cp932 is the superset Windows writes.
_SHIFT_JIS_FAMILY = {"shift_jis", "cp932", "shift_jis_2004", "shift_jisx0213", "ms932"}


def canonical_encoding(name: str) -> str:
    """Return Python's canonical codec name for ``name`` (``'Shift_JIS'`` -> ``'shift_jis'``).

    Raises
    ------
    InputEncodingError
        If Python knows no such encoding.
    """
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise InputEncodingError(f"unknown text encoding {name!r}",
                                 hint="use an encoding such as utf-8 or cp932") from None


def detect_encoding(path: Path) -> str:
    """Detect the text encoding of a file from its first :data:`SAMPLE_BYTES`.

    UTF-8 (with or without BOM) is taken when the sample decodes as UTF-8; otherwise
    charset-normalizer decides, and any Shift_JIS variant becomes ``cp932``.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    str
        A canonical Python codec name.

    Raises
    ------
    InputEncodingError
        If no encoding fits the sample.
    """
    with open(path, "rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    try:
        # A multi-byte character cut at the sample's end is not an error.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError as exc:
        before = sample[: exc.start]
        if before.decode("utf-8", errors="replace").isascii() is False:
            # Non-ASCII UTF-8 text first, then bytes that are not: two encodings in one file.
            line = before.count(b"\n") + 1
            raise InputEncodingError(
                f"the file mixes encodings: the text before line {line} is UTF-8 but line "
                f"{line} is not ({exc.reason})", Location(file=str(path), line=line),
                "re-save the whole file in one encoding (UTF-8)") from None
    best = from_bytes(sample).best()
    if best is None:
        raise InputEncodingError(
            "could not detect the text encoding", Location(file=str(path)),
            "give it with --encoding (e.g. cp932 for Shift_JIS files from Excel in Japan)")
    name = canonical_encoding(best.encoding)
    return "cp932" if name in _SHIFT_JIS_FAMILY else name


def find_undecodable_line(path: Path, encoding: str) -> tuple[int, str] | None:
    """Return the first line (1-based) that does not decode, with the decoder's message.

    Reads the file line by line in binary, so memory stays bounded. ``None`` if every line
    decodes.
    """
    decoder = codecs.getincrementaldecoder(encoding)()
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                decoder.decode(line, final=False)
            except UnicodeDecodeError as exc:
                return number, str(exc)
    return None


def encoding_error(path: Path, encoding: str, given: bool) -> InputEncodingError:
    """Build the error for a file that does not decode as ``encoding``, naming the bad line."""
    found = find_undecodable_line(path, encoding)
    line = found[0] if found else None
    detail = f" ({found[1]})" if found else ""
    if given:
        hint = "check --encoding; leave it out to detect the encoding"
    else:
        hint = ("the file mixes encodings or the sample did not show the right one; re-save it "
                "in one encoding (UTF-8) or give --encoding")
    return InputEncodingError(f"text is not valid {encoding}{detail}",
                              Location(file=str(path), line=line), hint)
