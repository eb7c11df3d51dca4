"""The local engine: the batch loop of :mod:`bulkscreen.pipeline`, in this process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bulkscreen.columns import RESULTS, Table
from bulkscreen.config import RunConfig
from bulkscreen.pipeline import RunSummary, ScreenBatch, run_pipeline


class LocalEngine:
    """Screen batch by batch in the calling process (the default engine)."""

    name = "local"

    def run(
        self,
        input_path: Path,
        table: Table,
        screen_batch: ScreenBatch,
        out_dir: Path,
        config: RunConfig,
        manifest_extra: dict[str, Any] | None = None,
        progress: bool = True,
        overwrite: bool = False,
        fmt: str | None = None,
        results_table: Table = RESULTS,
    ) -> RunSummary:
        """Run :func:`bulkscreen.pipeline.run_pipeline`; the manifest names the engine."""
        extra = dict(manifest_extra or {})
        extra["engine"] = {"name": self.name}
        return run_pipeline(input_path, table, screen_batch, out_dir, config,
                            manifest_extra=extra, progress=progress, overwrite=overwrite,
                            fmt=fmt, results_table=results_table)
