"""`spreadsheets.batchUpdate`: the requests the fake models, one function per request kind.

Each takes the spreadsheet, the request's body and where it sits in the batch (for Google's
`Invalid requests[0].addSheet: ...` messages) and returns its reply (`{}` for the many kinds
whose reply is empty). A batch is atomic: `apply` undoes every request when one fails.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from . import cell_requests, range_requests, sheet_requests
from .errors import ApiError
from .model import Spreadsheet

Handler = Callable[[Spreadsheet, Any, str], dict[str, Any]]
#: Request kind (`addSheet`) -> what it does.
REQUESTS: Mapping[str, Handler] = {
    **sheet_requests.REQUESTS,
    **cell_requests.REQUESTS,
    **range_requests.REQUESTS,
}


def apply(book: Spreadsheet, requests: Any) -> list[dict[str, Any]]:
    """Run a batch; on any error the spreadsheet is left as it was and the error raised."""
    snapshot = (
        [s.copy() for s in book.sheets],
        copy.deepcopy(book.props),
        copy.deepcopy(book.extras),
    )
    replies = []
    try:
        for number, item in enumerate(requests or []):
            if not isinstance(item, dict) or len(item) != 1:
                raise ApiError(400, f"Invalid requests[{number}]: exactly one kind expected")
            ((kind, args),) = item.items()
            handler = REQUESTS.get(kind)
            if handler is None:
                raise ApiError(400, f"Invalid requests[{number}]: the fake has no {kind}")
            replies.append(handler(book, args, f"{number}].{kind}"))
    except ApiError:
        book.sheets, book.props, book.extras = snapshot
        raise
    book.touch()
    return replies
