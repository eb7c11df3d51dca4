"""bulkscreen.screen."""
