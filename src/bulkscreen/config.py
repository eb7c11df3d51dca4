"""Typed run configuration: a TOML file, then ``BULKSCREEN_*`` environment variables, then flags.

Later sources override earlier ones. All problems are collected and reported together in one
:class:`~bulkscreen.errors.ConfigError`. ``config_hash`` is the canonical hash recorded in
every manifest, so two runs with the same settings can be recognised as such.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bulkscreen.errors import ConfigError, Location

ENV_PREFIX = "BULKSCREEN_"
_NOT_HASHED = {"engine", "scheduler", "match_cache_queries", "match_cache_mb"}


class MatchConfig(BaseModel):
    """Settings of the name matcher."""

    model_config = ConfigDict(extra="forbid")

    hit_threshold: float = Field(0.90, ge=0.0, le=1.0, description="Score at or above which a "
                                 "name match is a hit.")
    # 0.85 keeps 97% of the recall of 0.80 on held-out list names with 61% of its
    # false positives (benchmarks/bench_names_accuracy.py).
    review_threshold: float = Field(0.85, ge=0.0, le=1.0, description="Score at or above which "
                                    "a name match goes to review.")
    top_k: int = Field(3, ge=1, le=50, description="Findings kept per screened name.")

    @model_validator(mode="after")
    def _thresholds_ordered(self) -> MatchConfig:
        if self.review_threshold > self.hit_threshold:
            raise ValueError("review_threshold must not exceed hit_threshold")
        return self


class RunConfig(BaseModel):
    """Everything that decides what a run produces."""

    model_config = ConfigDict(extra="forbid")

    batch_size: int = Field(100_000, ge=1, le=10_000_000, description="Rows per Arrow batch.")
    as_of: dt.date | None = Field(None, description="Judge every row as of this date "
                                  "(default: today).")
    lists: list[str] = Field(default_factory=list, description="List ids to screen against "
                             "(default: every bundled list).")
    column_map: dict[str, str] = Field(default_factory=dict, description="Expected column -> "
                                       "column name in the input file.")
    encoding: str | None = Field(None, description="Text encoding of CSV input "
                                 "(default: detect).")
    fail_on_hit: bool = Field(False, description="Exit with code 1 when any row is not CLEAR.")
    limit: int | None = Field(None, ge=1, description="Screen only the first N data rows of "
                              "the input (a trial run); default: every row.")
    match: MatchConfig = Field(default_factory=MatchConfig)
    engine: Literal["local", "dask"] = Field("local", description="Where batches run: "
                                             "'local' (this process) or 'dask' (a cluster).")
    scheduler: str | None = Field(None, description="Dask scheduler address "
                                  "(tcp://host:8786); default: a local cluster.")
    match_cache_queries: int = Field(200_000, ge=0, description="Distinct names (with their "
                                     "evidence) whose matches a run keeps across batches; "
                                     "0 matches every batch afresh. Memory, not results.")
    match_cache_mb: int = Field(96, ge=0, description="About the memory (MB) the matches "
                                "kept across batches may take; the least recently used "
                                "names are dropped beyond it, 0: bounded by "
                                "match_cache_queries alone. Memory, not results.")

    def hash(self) -> str:
        """Return the canonical sha256 of the settings that decide the results."""
        # Where the batches run does not change the results, so it is not hashed.
        payload = self.model_dump(mode="json", exclude=_NOT_HASHED)
        if payload.get("limit") is None:  # a full run hashes as it did before --limit existed
            payload.pop("limit", None)
        text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _env_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    """Read ``BULKSCREEN_A__B=value`` as ``{"a": {"b": value}}``; values may be JSON."""
    out: dict[str, Any] = {}
    for key, raw in environ.items():
        if not key.startswith(ENV_PREFIX):
            continue
        path = key[len(ENV_PREFIX):].lower().split("__")
        # Other BULKSCREEN_* variables (CONFIG, CACHE_DIR, ...) are not run settings.
        if path[0] not in RunConfig.model_fields:
            continue
        try:
            value: Any = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        node = out
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    return out


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_config(
    path: Path | None = None,
    flags: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> RunConfig:
    """Build the run configuration from a TOML file, the environment and flags.

    Parameters
    ----------
    path
        TOML file; if None, ``BULKSCREEN_CONFIG`` names one, else none is read.
    flags
        Values given on the command line; None values are ignored.
    environ
        Environment to read ``BULKSCREEN_*`` variables from (default ``os.environ``).

    Returns
    -------
    RunConfig
        The validated configuration.

    Raises
    ------
    ConfigError
        Listing every invalid setting with its source.
    """
    environ = os.environ if environ is None else environ
    if path is None and environ.get(f"{ENV_PREFIX}CONFIG"):
        path = Path(environ[f"{ENV_PREFIX}CONFIG"])
    data: dict[str, Any] = {}
    if path is not None:
        from bulkscreen.io.paths import check_no_nul

        check_no_nul(path, "configuration file")
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError("configuration file not found", Location(file=str(path)),
                              "create it with `bulkscreen config init`") from None
        except IsADirectoryError:
            raise ConfigError("the configuration path is a folder", Location(file=str(path)),
                              "name the TOML file itself, e.g. bulkscreen.toml") from None
        except PermissionError:
            raise ConfigError("the configuration file cannot be read (permission denied)",
                              Location(file=str(path)), "make the file readable") from None
        except UnicodeDecodeError as exc:
            raise ConfigError(f"not UTF-8 text (byte {exc.start})", Location(file=str(path)),
                              "save the configuration file as UTF-8") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"not valid TOML: {exc}", Location(file=str(path)),
                              "fix the syntax; `bulkscreen config init` shows a valid "
                              "template") from None
    data = _merge(data, _env_overrides(environ))
    data = _merge(data, {k: v for k, v in (flags or {}).items() if v is not None})
    try:
        return RunConfig.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "(top level)"
            problems.append(f"{where}: {err['msg']} (got {err.get('input')!r})")
        raise ConfigError(
            "invalid configuration:\n  " + "\n  ".join(problems),
            Location(file=str(path)) if path else None,
            "correct the settings above in the TOML file, the BULKSCREEN_* variables or the "
            "flags",
        ) from None


def config_template() -> str:
    """Return a commented TOML template with every setting at its default."""
    lines = [
        "# bulkscreen run configuration.",
        "# Precedence: this file < BULKSCREEN_* environment variables < command-line flags.",
        "# Nested keys use a double underscore in the environment: BULKSCREEN_MATCH__TOP_K=5.",
        "",
    ]
    defaults = RunConfig()
    for name, info in RunConfig.model_fields.items():
        if name == "match":
            continue
        value = getattr(defaults, name)
        lines.append(f"# {info.description or name}")
        lines.append(_toml_line(name, value))
        lines.append("")
    lines.append("[match]")
    for name, info in MatchConfig.model_fields.items():
        lines.append(f"# {info.description or name}")
        lines.append(_toml_line(name, getattr(defaults.match, name)))
    return "\n".join(lines) + "\n"


def _toml_line(name: str, value: Any) -> str:
    if value is None:
        return f"# {name} = "
    if isinstance(value, dict):
        return f"# {name} = {{ consignee_name = \"Buyer\" }}" if not value else f"{name} = {value}"
    if isinstance(value, bool):
        return f"{name} = {'true' if value else 'false'}"
    if isinstance(value, str):
        return f"{name} = {json.dumps(value)}"
    if isinstance(value, list):
        return f"{name} = {json.dumps(value)}"
    return f"{name} = {value}"
