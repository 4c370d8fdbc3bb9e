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
from typing import Any, NamedTuple

from .fake import FakeSheets
from .server import GOOGLE_HOSTS, serve_fake

#: Answers that differ on every run, compared for presence only.
VOLATILE = frozenset({"createdTime", "modifiedTime"})
#: Ids Google makes up, as text or as numbers: the fake's must map one-to-one to the recorded.
TEXT_IDS = frozenset({"id", "spreadsheetId", "namedRangeId"})
NUMBER_IDS = frozenset({"sheetId", "protectedRangeId"})


@dataclass
class _Ids:
    """Recorded ids (files, sheets, named and protected ranges) and the fake's in their place."""

    files: dict[str, str] = field(default_factory=dict)
    numbers: dict[int, int] = field(default_factory=dict)

    def request_text(self, text: str) -> str:
        for recorded, ours in self.files.items():
            text = text.replace(recorded, ours)
        return text

    def request_json(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: self.numbers.get(v, v) if k in NUMBER_IDS else self.request_json(v)
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
        if key in TEXT_IDS and isinstance(recorded, str) and isinstance(actual, str):
            recorded = self.files.setdefault(recorded, actual)
        elif key in NUMBER_IDS and type(recorded) is int and type(actual) is int:
            recorded = self.numbers.setdefault(recorded, actual)
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


_SPREADSHEET_URI = re.compile(
    r"https://(?:sheets\.googleapis\.com/v4/spreadsheets|www\.googleapis\.com/drive/v3/files)"
    r"/([^/:?]+)"
)


_EDITOR = re.compile(r'"editors"\s*:\s*\{\s*"users"\s*:\s*\[\s*"([^"]+)"')


class World(NamedTuple):
    """What a cassette's account held that the cassette did not create.

    Spreadsheets it opens without creating them were either missing (Google answered 404: the
    fake has none either), someone else's (403: `FakeSheets.private`) or already in the
    account (200: their content is not in the recording, so those exchanges cannot be replayed,
    nor can listing the account's files). `account` is the caller's e-mail where Google names
    it (the editor of a protected range).
    """

    private: set[str]
    outside: set[str]
    account: str | None = None


def _world(interactions: Sequence[Mapping[str, Any]]) -> World:
    created: set[str] = set()
    first_status: dict[str, int] = {}
    account = None
    for item in interactions:
        named = _EDITOR.search(_body_text(item["response"].get("body")))
        account = account or (named.group(1) if named else None)
        uri = item["request"]["uri"]
        status = item["response"]["status"]["code"]
        if item["request"]["method"] == "POST" and re.fullmatch(
            r"https://www\.googleapis\.com/drive/v3/files(/[^/?]+/copy)?(\?.*)?", uri
        ):
            with contextlib.suppress(ValueError, KeyError, TypeError):
                created.add(json.loads(_body_text(item["response"]["body"]))["id"])
        match = _SPREADSHEET_URI.match(uri)
        if match and match.group(1) not in created:
            first_status.setdefault(match.group(1), status)
    return World(
        private={sid for sid, status in first_status.items() if status == 403},
        outside={sid for sid, status in first_status.items() if status < 400},
        account=account,
    )


def _outside(request: Mapping[str, Any], world: World) -> bool:
    """An exchange that depends on files the recording does not show."""
    uri = request["uri"]
    if request["method"] == "GET" and uri.startswith("https://www.googleapis.com/drive/v3/files?"):
        return True
    match = _SPREADSHEET_URI.match(uri)
    return bool(match and match.group(1) in world.outside)


def _body_text(body: Any) -> str:
    """A recorded body as text (vcrpy stores plain strings, or bytes/base64 for binary ones)."""
    if isinstance(body, dict):
        body = body.get("string", "")
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    return body or ""


class Replayed(NamedTuple):
    """One cassette replayed: answers that matched, answers compared, what differed, and the
    exchanges not replayed because they depend on files outside the recording."""

    matched: int
    total: int
    problems: list[str]
    outside: int = 0


def _decoded(text: str) -> Any:
    """A JSON body as data; other bodies (CSV exports) as their text."""
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def replay(cassette: Path) -> Replayed:
    """Replay one vcrpy cassette against a fresh fake.

    Each recorded request is sent as recorded, with Google's hosts replaced by the fake's URL and
    recorded ids by the ones the fake handed out (learnt from its answers). An answer matches when
    the status is the same and the bodies are equal, except `createdTime`/`modifiedTime`
    (compared for presence only) and ids, which must map one-to-one to the recorded ones.
    """
    interactions = json.loads(cassette.read_text(encoding="utf-8"))["interactions"]
    world = _world(interactions)
    fake = FakeSheets()
    fake.private.update(world.private)
    fake.account = world.account or fake.account
    ids = _Ids()
    matched, outside, problems = 0, 0, []
    with serve_fake(fake) as (url, _):
        connection = http.client.HTTPConnection(urllib.parse.urlsplit(url).netloc, timeout=10)
        for number, item in enumerate(interactions):
            request, response = item["request"], item["response"]
            if _outside(request, world):
                outside += 1
                continue
            uri = request["uri"]
            for host in GOOGLE_HOSTS:
                uri = uri.replace(host, "")
            body = ids.request_text(_body_text(request.get("body")))
            sent = _decoded(body)
            if sent is not None and not isinstance(sent, str):
                body = json.dumps(ids.request_json(sent))
            kind = "text/plain" if isinstance(sent, str) else "application/json"
            connection.request(
                request["method"],
                ids.request_text(uri),
                body=body.encode() if body else None,
                headers={"Content-Type": kind} if body else {},
            )
            answer = connection.getresponse()
            actual = _decoded(answer.read().decode("utf-8", "replace"))
            expected = _decoded(_body_text(response.get("body")))
            found = ids.differences(expected, actual)
            if answer.status != response["status"]["code"]:
                found.insert(0, f"status {answer.status}, recorded {response['status']['code']}")
            if found:
                where = f"#{number} {request['method']} {urllib.parse.unquote(request['uri'])}"
                problems.append(f"{where}: " + "; ".join(found[:3]))
            else:
                matched += 1
        connection.close()
    return Replayed(matched, len(interactions) - outside, problems, outside)
