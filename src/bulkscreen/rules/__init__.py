"""bulkscreen.rules."""
