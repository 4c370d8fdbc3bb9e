"""An app called in-process over ASGI by a plain synchronous `httpx.Client`: no port, no server.

httpx ships the ASGI transport only for its async client; the tests are synchronous, so each
request runs the async transport to completion in its own event loop. (Starlette's TestClient,
which did this with a transport of its own, warns that its use of httpx is deprecated.)
"""

from __future__ import annotations

from typing import Any

import anyio
import httpx


class SyncASGITransport(httpx.BaseTransport):
    """`httpx.ASGITransport` for a synchronous client."""

    def __init__(self, app: Any) -> None:
        self._asgi = httpx.ASGITransport(app=app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def send() -> httpx.Response:
            response = await self._asgi.handle_async_request(request)
            body = b"".join([chunk async for chunk in response.aiter_bytes()])
            return httpx.Response(response.status_code, headers=response.headers, content=body)

        return anyio.run(send)


def asgi_client(app: Any) -> httpx.Client:
    """A client whose requests go straight to APP (base URL `http://testserver`)."""
    return httpx.Client(transport=SyncASGITransport(app), base_url="http://testserver")
