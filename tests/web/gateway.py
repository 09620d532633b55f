"""A real HTTP gateway on 127.0.0.1 for webhook tests: records each POST, fails as told."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict


@dataclass
class Gateway:
    fail_first: int = 0  # answer 503 to this many POSTs, then 200
    always_fail: bool = False
    received: list[Received] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def start(self) -> Gateway:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                with gateway.arrived:
                    gateway.received.append(Received(self.path, dict(self.headers), body))
                    failing = gateway.always_fail or len(gateway.received) <= gateway.fail_first
                    gateway.arrived.notify_all()
                self.send_response(503 if failing else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    def wait_for(self, count: int, bound: float = 60.0) -> list[Received]:
        """The first `count` POSTs; fails if they have not come within `bound` seconds."""
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.received) >= count, bound), (
                f"{len(self.received)} of {count} webhook POSTs arrived")
            return list(self.received)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
