"""Reports read back from result Parquet: console summaries, HTML pages, review spreadsheets."""
