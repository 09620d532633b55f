"""A scripted stand-in for the central server's sync API, for forcing faults on demand.

The real server (server/) answers correctly; these tests need it to answer 500, 503, 401,
403, 413, 429, 400, odd per-record codes, slowly, or not at all, whenever a test says so.
So this small http.server on 127.0.0.1 answers from a script, records every request byte
for byte, and otherwise behaves like a healthy server (accepts every record, empty feed).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(slots=True)
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def records(self) -> list[dict[str, Any]]:
        return json.loads(self.body)["records"]


@dataclass(slots=True)
class Reply:
    status: int = 200
    body: Any = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


Script = Reply | Callable[[Seen], Reply]


def error(status: int, code: str, message: str = "scripted", **headers: str) -> Reply:
    return Reply(status, {"error": {"code": code, "message": message}}, dict(headers))


def accept_all(seen: Seen) -> Reply:
    records = seen.records()
    results = [
        {"index": i, "id": r["id"], "status": 200, "code": "accepted", "message": None}
        for i, r in enumerate(records)
    ]
    return Reply(200, {"results": results, "accepted": len(results), "rejected": 0})


def per_item(verdicts: dict[int, tuple[int, str]]) -> Callable[[Seen], Reply]:
    """Accept every record except those at the given indexes, answered (status, code)."""

    def reply(seen: Seen) -> Reply:
        records = seen.records()
        results = []
        for i, record in enumerate(records):
            status, code = verdicts.get(i, (200, "accepted"))
            results.append({"index": i, "id": record["id"], "status": status, "code": code,
                            "message": None if status == 200 else f"scripted {code}"})
        accepted = sum(1 for r in results if r["status"] == 200)
        return Reply(200, {"results": results, "accepted": accepted,
                           "rejected": len(results) - accepted})

    return reply


def empty_feed(seen: Seen) -> Reply:
    cursor = int(seen.query.get("cursor", ["0"])[0])
    return Reply(200, {"changes": [], "next_cursor": cursor, "has_more": False})


class ScriptedServer:
    """Answers the next scripted reply for a path, else the healthy default."""

    def __init__(self, port: int = 0) -> None:
        """`port` 0 picks a free one; a test can pass a port that refused connections until
        now, to have "the server" come back where the kiosk has been knocking."""
        self.requests: list[Seen] = []
        self.scripts: dict[str, deque[Script]] = {"push": deque(), "pull": deque()}
        self.defaults: dict[str, Script] = {"push": accept_all, "pull": empty_feed}
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def script(self, route: str, *replies: Script) -> None:
        with self._lock:
            self.scripts[route].extend(replies)

    def pushes(self) -> list[Seen]:
        return [r for r in self.requests if r.path.endswith("/sync/push")]

    def pulls(self) -> list[Seen]:
        return [r for r in self.requests if r.path.endswith("/sync/pull")]

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _answer(self, seen: Seen) -> Reply:
        route = {"/api/v1/sync/push": "push", "/api/v1/sync/pull": "pull"}.get(seen.path)
        if route is None:
            if seen.path == "/api/v1/health":
                return Reply(200, {"status": "ok", "wire_version": 1})
            return error(404, "not_found")
        with self._lock:
            self.requests.append(seen)
            script = self.scripts[route].popleft() if self.scripts[route] else self.defaults[route]
        return script(seen) if callable(script) else script

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the kiosk's Session expects

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                seen = Seen(self.command, parts.path, parse_qs(parts.query),
                            dict(self.headers.items()), body)
                reply = server._answer(seen)
                if reply.delay:
                    time.sleep(reply.delay)
                payload = reply.encoded()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (read timeout tests)

            do_GET = do_POST = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
