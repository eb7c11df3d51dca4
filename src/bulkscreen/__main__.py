"""``python -m bulkscreen``: the command line without the console script."""

from bulkscreen.cli import main

main()
