"""bulkscreen.normalize."""
