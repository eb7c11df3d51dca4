"""Paths built from user input: checked before anything is created, so none leaves its root.

A list id, a version, or a file name inside a list folder is one path component; ``..``, a
separator, an absolute path, a NUL byte or a control character is refused. A path joined
under a root is resolved (following symlinks) and must still lie inside that root.
"""

from __future__ import annotations

import re
from pathlib import Path

from bulkscreen.errors import BulkscreenError, ConfigError, Location

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_MAX_NAME = 100


def check_no_nul(value: str | Path, what: str,
                 error: type[BulkscreenError] = ConfigError) -> None:
    """Refuse a path holding a NUL byte, which the operating system cannot name.

    Parameters
    ----------
    value
        The path as given.
    what
        What the path is, for the message (``"--out"``).
    error
        The error class to raise.

    Raises
    ------
    BulkscreenError
        Of class ``error``, when ``value`` holds a NUL byte.
    """
    if "\x00" in str(value):
        raise error(f"{what} {str(value)!r} holds a NUL byte", Location(file=str(value)
                                                                          .replace("\x00", "")),
                    hint=f"give {what} as a plain path without control characters")


def check_component(value: str, what: str, error: type[BulkscreenError] = ConfigError,
                    pattern: re.Pattern[str] = _NAME) -> str:
    """Return ``value`` if it is a safe single path component, else raise ``error``.

    Safe means: 1 to 100 characters of letters, digits, ``.``, ``_`` and ``-``, starting with a
    letter or digit. That excludes ``..``, separators, absolute paths, NUL and control
    characters, and the leading dot that marks folders being staged.

    Parameters
    ----------
    value
        A list id, version or file name.
    what
        What it is, for the message (``"list id"``).
    error
        The error class to raise.
    pattern
        The allowed form (default: the one above).

    Returns
    -------
    str
        ``value`` unchanged.

    Raises
    ------
    BulkscreenError
        Of class ``error``, naming the value and the allowed form.
    """
    if not isinstance(value, str) or len(value) > _MAX_NAME or not pattern.fullmatch(value):
        raise error(f"{what} {value!r} is not a plain name",
                    hint=f"write the {what} as 1-{_MAX_NAME} letters, digits, '.', '_' or '-', "
                    "starting with a letter or digit (no '/', '..' or control characters)")
    return value


def check_file_name(value: str, what: str, where: Location,
                    error: type[BulkscreenError]) -> str:
    """Return ``value`` if it names a file directly inside a folder (no folder part).

    Unlike :func:`check_component`, spaces and other printable characters are allowed, as
    published list files carry their publisher's names.

    Raises
    ------
    BulkscreenError
        Of class ``error`` for ``..``, separators, a leading dot, NUL or control characters.
    """
    bad = (not value or value in (".", "..") or value.startswith(".") or "/" in value
           or "\\" in value or any(ord(ch) < 32 or ord(ch) == 127 for ch in value)
           or len(value) > 255)
    if bad:
        raise error(f"{what} {value!r} is not a plain file name", where,
                    hint="name a file inside the folder itself, without '/', '..', a leading "
                    "'.' or control characters")
    return value


def within(root: Path, path: Path, what: str,
           error: type[BulkscreenError] = ConfigError) -> Path:
    """Return ``path`` if, with symlinks resolved, it lies inside ``root`` (or is ``root``).

    Parameters
    ----------
    root
        The folder the path must stay in.
    path
        The path built under it (need not exist).
    what
        What the path is, for the message.
    error
        The error class to raise.

    Raises
    ------
    BulkscreenError
        Of class ``error`` when the resolved path leaves the resolved root (through ``..``,
        an absolute part or a symlink).
    """
    real_root = Path(root).resolve()
    real = Path(path).resolve()
    if real != real_root and real_root not in real.parents:
        raise error(f"{what} {str(path)!r} leads outside {str(root)!r} (to {str(real)!r})",
                    Location(file=str(path)),
                    hint=f"keep the {what} inside {str(root)!r}; remove any symlink that "
                    "points elsewhere")
    return path


def check_output_dir(out_dir: Path, input_path: Path | None = None) -> Path:
    """Return ``out_dir`` if a run may write its files there; nothing is created here.

    Parameters
    ----------
    out_dir
        The ``--out`` folder.
    input_path
        The input file or folder, which the output must not overlap.

    Raises
    ------
    OutputError
        If the path holds a NUL byte, is an existing file, or lies inside a Parquet input
        folder (whose files would then be read as input).
    """
    from bulkscreen.errors import OutputError

    check_no_nul(out_dir, "--out", OutputError)
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError("--out names a file, not a folder", Location(file=str(out_dir)),
                          hint="give --out a new or existing folder")
    if input_path is not None:
        check_no_nul(input_path, "input path", OutputError)
        real_in, real_out = Path(input_path).resolve(), out_dir.resolve()
        if real_in.is_dir() and (real_out == real_in or real_in in real_out.parents):
            raise OutputError("--out lies inside the input folder", Location(file=str(out_dir)),
                              hint="write the run to a folder outside the input, which is "
                              "read whole")
        if real_in == real_out:
            raise OutputError("--out is the input file", Location(file=str(out_dir)),
                              hint="give --out a folder of its own")
    return out_dir
