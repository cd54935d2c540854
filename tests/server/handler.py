"""HTTP plumbing: the threaded server, the request handler, and where faults are applied."""

from __future__ import annotations

import contextlib
import logging
import math
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .common import DEFAULT_CODES, ApiError, Response
from .context import Context, Request
from .faults import Plan
from .router import dispatch

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 16 * 1024 * 1024
MALFORMED_BODY = b'{"results": [{"status": "applied", <this is not JSON'

#: Called before the answer is written: (method, raw path, status, counts as a package body).
ServedHook = Callable[[str, str, int, bool], None]


class ContractHTTPServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that knows its state and can close live connections on stop."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        ctx: Context,
        stopping: threading.Event,
        on_served: ServedHook,
    ) -> None:
        self.ctx = ctx
        self.stopping = stopping
        self.on_served = on_served
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, ContractHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Hang up on keep-alive connections so no handler thread outlives the server."""
        with self._connections_lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class ContractHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "CourseContractServer/1"
    timeout = 60
    disable_nagle_algorithm = True  # headers and body are two writes; avoid 40 ms stalls
    server: ContractHTTPServer

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    # -- one request ----------------------------------------------------------------------------

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self.close_connection = True
            raise ApiError(400, "BAD_REQUEST", "Send a Content-Length, not a chunked body.")
        raw_length = self.headers.get("Content-Length") or "0"
        try:
            length = int(raw_length)
        except ValueError:
            self.close_connection = True
            raise ApiError(400, "BAD_REQUEST", "Bad Content-Length.") from None
        if length < 0:
            self.close_connection = True
            raise ApiError(400, "BAD_REQUEST", "Bad Content-Length.")
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            raise ApiError(413, "PAYLOAD_TOO_LARGE", "The request body is too large.")
        return self.rfile.read(length) if length else b""

    def _handle(self, method: str) -> None:
        ctx = self.server.ctx
        split = urlsplit(self.path)
        raw_path = split.path or "/"
        try:
            body = self._read_body()
        except ApiError as exc:
            self._send(method, raw_path, exc.to_response(), cut=False)
            return
        req = Request(
            method=method,
            path=raw_path,
            segments=[unquote(part) for part in raw_path.split("/")[1:]],
            query=parse_qs(split.query, keep_blank_values=True),
            headers=self.headers,
            body=body,
        )
        if ctx.faults.tick_token_countdown(raw_path):
            ctx.db.revoke_tokens()
        plan = ctx.faults.draw(method, raw_path)
        if plan.delay > 0 and self.server.stopping.wait(plan.delay):
            self.close_connection = True  # the server stopped during the delay: just hang up
            return
        response = _injected_failure(plan, body) if plan.fail_status else dispatch(ctx, req)
        if plan.malformed_json:
            response = Response(200, MALFORMED_BODY)
        self._send(method, raw_path, response, cut=plan.cut_body, drip=plan.drip)

    def _send(
        self,
        method: str,
        raw_path: str,
        response: Response,
        cut: bool,
        drip: tuple[int, float] | None = None,
    ) -> None:
        counted = response.is_package and response.status == 200 and not cut
        self.server.on_served(method, raw_path, response.status, counted)
        try:
            self.send_response(response.status)
            if response.status != 304:
                if response.content_type:
                    self.send_header("Content-Type", response.content_type)
                self.send_header("Content-Length", str(len(response.body)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            if self.close_connection and not cut:
                self.send_header("Connection", "close")
            self.end_headers()
            if cut:
                self.wfile.write(response.body[: len(response.body) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
            elif drip is not None and response.status != 304:
                self._drip(response.body, *drip)
            elif response.status != 304:
                self.wfile.write(response.body)
        except OSError as exc:  # the client went away (timed out, or we cut it)
            self.close_connection = True
            if not cut:
                log.debug("client left before the answer to %s %s: %s", method, raw_path, exc)

    def _drip(self, body: bytes, chunk: int, interval: float) -> None:
        """The body a few bytes at a time (the ``drip`` fault); OSError when the client left."""
        self.wfile.flush()
        for start in range(0, len(body), chunk):
            if self.server.stopping.wait(interval):
                self.close_connection = True
                return
            self.wfile.write(body[start : start + chunk])
            self.wfile.flush()


def _injected_failure(plan: Plan, body: bytes) -> Response:
    status = plan.fail_status or 500
    headers: dict[str, str] = {}
    if plan.retry_after is not None:
        headers["Retry-After"] = str(max(0, math.ceil(plan.retry_after)))
    code = DEFAULT_CODES.get(status, "INTERNAL" if status >= 500 else "BAD_REQUEST")
    message = plan.message or "Injected fault (test server)."
    if plan.echo:
        message += " You sent: " + body.decode("utf-8", "replace")
    return ApiError(status, code, message, headers).to_response()
