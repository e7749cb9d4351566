"""A small round-robin HTTP proxy on 127.0.0.1, standing in for the load balancer in front of several
webhook instances: each request goes to the next instance in turn; one that cannot be reached, or drops
the request, is skipped for the next (as a load balancer's passive health check does); 502 when none
answers, so Telegram (the stand-in) sends the update again later."""

from __future__ import annotations

import http.client
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RoundRobinProxy:
    """`with RoundRobinProxy([port1, port2, port3]) as proxy:` forwards POSTs on proxy.port to the ports."""

    def __init__(self, ports: list[int]):
        self.ports = ports
        self.next = 0
        self.lock = threading.Lock()
        self.answered: Counter[int] = Counter()  # port -> requests it answered
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status, reply = proxy.forward(self.path, dict(self.headers), body)
                self.send_response(status)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: object) -> None:
                """Quiet."""

        class Server(ThreadingHTTPServer):
            request_queue_size = 128  # not 5: Telegram opens up to 40 connections at once
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def forward(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        """Send one request to the instances in turn, from the next one, until one answers."""
        with self.lock:
            first = self.next
            self.next = (self.next + 1) % len(self.ports)
        for i in range(len(self.ports)):
            port = self.ports[(first + i) % len(self.ports)]
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                connection.request("POST", path, body, {k: v for k, v in headers.items() if k.lower() != "host"})
                response = connection.getresponse()
                reply = response.read()
            except (OSError, http.client.HTTPException):
                continue  # refused, reset or timed out: the next instance
            finally:
                connection.close()
            with self.lock:
                self.answered[port] += 1
            return response.status, reply
        return 502, b""

    def __enter__(self) -> RoundRobinProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
