"""bulkscreen.lists."""
