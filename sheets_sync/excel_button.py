"""The Refresh button of an `excel-init` workbook: Excel's RunPython calls `refresh_book`.

An entry point like the CLI and the server: it opens the live workbook through
`sheets_sync.backends.excel_live`, runs the one refresh, and turns every outcome into a message
box, since RunPython would show an exception as a traceback.
"""

from __future__ import annotations

from typing import Any

from sheets_sync.backends.excel_live import LiveExcelBackend
from sheets_sync.exits import ExitCode, crash_sentence, log_crash
from sheets_sync.refresh import refresh, summary_lines
from sheets_sync.types import TargetError


def refresh_book(book: Any) -> int:
    """What the Refresh button does: refresh `book` where it is open and say how it went.

    It runs under Excel's RunPython, which would show an exception as a traceback box, so every
    outcome ends in a plain message box instead (a bug's traceback goes to the crash log).
    Returns the exit code a command would (`sheets_sync.exits.ExitCode`).
    """
    app = book.app
    app.status_bar = "Stockout: refreshing..."
    backend = LiveExcelBackend(book=book)
    try:
        result = refresh(backend)
    except TargetError as exc:
        message, code = f"The refresh stopped: {exc}", ExitCode.REFUSED
    except Exception as exc:  # a bug: logged beside the workbook, a sentence in the box
        log = log_crash(str(backend.target), exc, context="Excel Refresh button")
        message, code = crash_sentence(exc, log), ExitCode.CRASHED
    else:
        message, code = "\n".join(summary_lines(result)), ExitCode(result.exit_code)
    finally:
        app.status_bar = False
    mode = "critical" if code >= ExitCode.REFUSED else "info"
    app.alert(message, title="Stockout refresh", mode=mode)
    return int(code)
