"""A loopback server that never finishes answering: the test of every overall deadline.

It answers one short line every 0.2 s, forever, so each read is quick and no per-read timeout
ever trips: an SMTP greeting of `220-` continuation lines, or an HTTP status line followed by
headers that never end (which is also what an HTTPS proxy stalling a Google or Amazon call
looks like to the client).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

#: (first bytes, the line repeated) of each flavour.
FLAVOURS = {
    "smtp": (b"", b"220-still here\r\n"),
    "http": (b"HTTP/1.1 200 OK\r\n", b"X-Drip: 1\r\n"),
}


@contextlib.contextmanager
def dripping_server(flavour: str = "http") -> Iterator[str]:
    """Serve FLAVOURS[FLAVOUR] on 127.0.0.1 for the `with` block; yields `127.0.0.1:PORT`."""
    first, line = FLAVOURS[flavour]
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.1)
    stop = threading.Event()

    def drip(conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            conn.sendall(first)
            while not stop.is_set():
                conn.sendall(line)
                time.sleep(0.2)

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=drip, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, name="drip-server", daemon=True).start()
    try:
        yield f"127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        time.sleep(0.2)
        server.close()
