"""`python -m sheets_sync` is the `stockout` command."""

from sheets_sync.cli import main

main()
