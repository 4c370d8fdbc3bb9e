"""The Refresh button of an `excel-init` workbook: Excel's RunPython calls `refresh_book`.

An entry point like the CLI and the server: it opens the live workbook through
`sheets_sync.backends.excel_live`, runs the one refresh, and turns every outcome into a message
box, since RunPython would show an exception as a traceback.
"""

from __future__ import annotations

from typing import Any

from sheets_sync.backends.excel_live import LiveExcelBackend
from sheets_sync.refresh import refresh, summary_lines


def refresh_book(book: Any) -> int:
    """What the Refresh button does: refresh `book` where it is open and say how it went.

    It runs under Excel's RunPython, which would show an exception as a traceback box, so every
    outcome ends in a plain message box instead. Returns the exit code of SPEC §6.
    """
    app = book.app
    app.status_bar = "Stockout: refreshing..."
    try:
        result = refresh(LiveExcelBackend(book=book))
    except Exception as exc:  # TargetError or a bug: either way a sentence, not a traceback
        message, code = f"The refresh stopped: {exc}", 2
    else:
        message, code = "\n".join(summary_lines(result)), result.exit_code
    finally:
        app.status_bar = False
    app.alert(message, title="Stockout refresh", mode="critical" if code == 2 else "info")
    return code
