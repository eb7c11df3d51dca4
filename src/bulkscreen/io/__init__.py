"""bulkscreen.io."""
