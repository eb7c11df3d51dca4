"""``bulkscreen generate``: commands of this area (filled in as the area is built)."""

from __future__ import annotations

COMMANDS: list = []
