"""The embedded moto server: every AWS API of the local stack, on loopback."""

from __future__ import annotations

import logging
import os
import socket
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SerializedDynamoDB:
    """WSGI wrapper that runs one DynamoDB request at a time.

    moto checks a condition and then writes without a lock, so two concurrent conditional writes can both
    pass: DynamoDB never allows that, and the invoice counter's gaplessness depends on it. Other services
    stay concurrent (an SQS long poll must not block the table).
    """

    def __init__(self, app) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            with self._lock:
                return list(self._app(environ, start_response))
        return self._app(environ, start_response)


class Emulator:
    """A moto server in a background thread of this process."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = None
        self._thread: threading.Thread | None = None

    def start(self) -> "Emulator":
        # moto's werkzeug logs every request; the local stack prints its own summary instead.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        app = SerializedDynamoDB(DomainDispatcherApplication(create_backend_app))
        self._server = make_server("127.0.0.1", self.port, app, threaded=True, request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._thread.join()
            self._server = None

    def environ(self) -> dict[str, str]:
        """Variables that point boto3 (and so PynamoDB and Powertools) at this server."""
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
        }

    def export(self) -> None:
        os.environ.update(self.environ())
