"""Google's error answers: the JSON body, the HTTP code and its canonical status name.

Every failure inside the fake is an `ApiError`; the HTTP layer turns it into the body Google
sends (`{"error": {"code", "message", "status"}}`, plus `details` where Google gives them, such
as the field violations of a bad request body).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

#: https://cloud.google.com/apis/design/errors#handling_errors: HTTP code -> canonical status.
STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
#: Messages of failures a test asks for with `FakeSheets.fail_next`, as Google words them.
INJECTED_MESSAGES = {
    403: "The caller does not have permission",
    429: "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute "
    "per user' of service 'sheets.googleapis.com' for consumer 'project_number:0'.",
    500: "Internal error encountered.",
    503: "The service is currently unavailable.",
}


class ApiError(Exception):
    """An answer with Google's error body; raised anywhere in a handler."""

    def __init__(self, code: int, message: str, details: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def body(self) -> dict[str, Any]:
        status = STATUS_NAMES.get(self.code, "UNKNOWN")
        error: dict[str, Any] = {"code": self.code, "message": self.message, "status": status}
        if self.details:
            error["details"] = self.details
        return {"error": error}


def invalid_value(field: str, type_name: str, value: Any) -> ApiError:
    """Google's 400 for a request value of the wrong type, with the field violation in `details`.

    `Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue), "X"`.
    """
    message = f"Invalid value at '{field}' ({type_name}), {json.dumps(value, ensure_ascii=False)}"
    violation = {"field": field, "description": message}
    details = [
        {"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [violation]}
    ]
    return ApiError(400, message, details)


def enum(value: str | None, allowed: Sequence[str], name: str, default: str | None) -> str:
    """A request's enum parameter, its default when absent, or Google's 400 when unknown."""
    if value is None:
        if default is None:
            raise ApiError(400, f"'{name}' is required but not specified")
        return default
    if value not in allowed:
        raise invalid_value(name, "TYPE_ENUM", value)
    return value
