"""Replaying recorded Google traffic (vcrpy cassettes) against a fresh fake.

Each recorded request is sent to a served fake as it was recorded and the fake's answer is
compared with Google's: that is how the fake is held to what Google really answers.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .fake import FakeSheets
from .server import GOOGLE_HOSTS, serve_fake

#: Answers that differ on every run, compared for presence only.
VOLATILE = frozenset({"createdTime", "modifiedTime"})


@dataclass
class _Ids:
    """Recorded ids (spreadsheets, sheets) and the ones the fake gave out in their place."""

    files: dict[str, str] = field(default_factory=dict)
    sheets: dict[int, int] = field(default_factory=dict)

    def request_text(self, text: str) -> str:
        for recorded, ours in self.files.items():
            text = text.replace(recorded, ours)
        return text

    def request_json(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: self.sheets.get(v, v) if k == "sheetId" else self.request_json(v)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self.request_json(v) for v in value]
        return value

    def differences(self, recorded: Any, actual: Any, where: str = "") -> list[str]:
        """Where `actual` differs from `recorded`, learning id pairs on the way."""
        if isinstance(recorded, dict) and isinstance(actual, dict):
            problems = []
            if recorded.keys() != actual.keys():
                problems.append(f"{where or '/'}: keys {sorted(recorded)} != {sorted(actual)}")
            for key in recorded.keys() & actual.keys():
                if key in VOLATILE:
                    continue
                problems += self.differences(recorded[key], actual[key], f"{where}/{key}")
            return problems
        if isinstance(recorded, list) and isinstance(actual, list):
            if len(recorded) != len(actual):
                return [f"{where}: {len(actual)} items, recorded {len(recorded)}"]
            return [
                p
                for i, (r, a) in enumerate(zip(recorded, actual, strict=True))
                for p in self.differences(r, a, f"{where}/{i}")
            ]
        key = where.rpartition("/")[2]
        if key in ("id", "spreadsheetId") and isinstance(recorded, str) and isinstance(actual, str):
            recorded = self.files.setdefault(recorded, actual)
        elif key == "sheetId" and type(recorded) is int and type(actual) is int:
            recorded = self.sheets.setdefault(recorded, actual)
        elif isinstance(recorded, str):
            recorded = self.request_text(recorded)
        if (recorded == actual and type(recorded) is type(actual)) or (
            isinstance(recorded, int | float)
            and isinstance(actual, int | float)
            and not isinstance(recorded, bool)
            and recorded == actual
        ):
            return []
        return [f"{where}: {actual!r}, recorded {recorded!r}"]


def _cassette_private_ids(interactions: Sequence[Mapping[str, Any]]) -> set[str]:
    """Spreadsheets a cassette opens without creating: someone else's, not shared with us."""
    created = set()
    used = set()
    for item in interactions:
        uri = item["request"]["uri"]
        if uri.startswith("https://www.googleapis.com/drive/v3/files?"):
            with contextlib.suppress(ValueError, KeyError, TypeError):
                created.add(json.loads(item["response"]["body"]["string"])["id"])
        match = re.match(r"https://sheets\.googleapis\.com/v4/spreadsheets/([^/:?]+)", uri)
        if match:
            used.add(match.group(1))
    return used - created


def _body_text(body: Any) -> str:
    """A recorded body as text (vcrpy stores plain strings, or bytes/base64 for binary ones)."""
    if isinstance(body, dict):
        body = body.get("string", "")
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    return body or ""


def replay(cassette: Path) -> tuple[int, int, list[str]]:
    """Replay one vcrpy cassette against a fresh fake: (matched, total, what differed).

    Each recorded request is sent as recorded, with Google's hosts replaced by the fake's URL and
    recorded ids by the ones the fake handed out (learnt from its answers). An answer matches when
    the status is the same and the JSON bodies are equal, except `createdTime`/`modifiedTime`
    (compared for presence only) and ids, which must map one-to-one to the recorded ones.
    """
    interactions = json.loads(cassette.read_text(encoding="utf-8"))["interactions"]
    fake = FakeSheets()
    fake.private.update(_cassette_private_ids(interactions))
    ids = _Ids()
    matched, problems = 0, []
    with serve_fake(fake) as (url, _):
        connection = http.client.HTTPConnection(urllib.parse.urlsplit(url).netloc, timeout=10)
        for number, item in enumerate(interactions):
            request, response = item["request"], item["response"]
            uri = request["uri"]
            for host in GOOGLE_HOSTS:
                uri = uri.replace(host, "")
            body = _body_text(request.get("body"))
            if body:
                body = json.dumps(ids.request_json(json.loads(ids.request_text(body))))
            connection.request(
                request["method"],
                ids.request_text(uri),
                body=body.encode() if body else None,
                headers={"Content-Type": "application/json"} if body else {},
            )
            answer = connection.getresponse()
            content = answer.read()
            expected_text = _body_text(response.get("body"))
            expected = json.loads(expected_text) if expected_text.strip() else None
            actual = json.loads(content) if content else None
            found = ids.differences(expected, actual)
            if answer.status != response["status"]["code"]:
                found.insert(0, f"status {answer.status}, recorded {response['status']['code']}")
            if found:
                where = f"#{number} {request['method']} {urllib.parse.unquote(request['uri'])}"
                problems.append(f"{where}: " + "; ".join(found[:3]))
            else:
                matched += 1
        connection.close()
    return matched, len(interactions), problems
