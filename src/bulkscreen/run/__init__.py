"""The run layer: what a run is (:mod:`.spec`), the data it loads once (:mod:`.data`), the
per-batch jobs (:mod:`.jobs`) and the runs behind the commands (:mod:`.screening`)."""

from bulkscreen.run.spec import RunSpec, RunSummary, ScreenBatch

__all__ = ["RunSpec", "RunSummary", "ScreenBatch"]
