"""Threaded HTTP server hosting the simulator, loopback only."""

from __future__ import annotations

import ipaddress
import logging
import threading
from types import TracebackType
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .app import SimulatorApp
from .control import SimulatorControl
from .core import Simulator

LOG = logging.getLogger(__name__)


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class _RequestHandler(WSGIRequestHandler):
    """Sends werkzeug's one-line-per-request log to debug level instead of stderr, and
    closes a connection the application dropped (see ``app.DroppedConnection``)."""

    def connection_dropped(self, error: BaseException, environ: Any = None) -> None:
        """Never read another request from a dropped connection."""
        self.close_connection = True

    def log(self, type: str, message: str, *args: Any) -> None:  # pylint: disable=redefined-builtin
        level = logging.DEBUG if type == "info" else logging.WARNING
        LOG.log(level, "%s %s", self.address_string(), message % args)


class SimulatorServer:
    """Runs a ``Simulator`` behind a threaded HTTP server in a background thread."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        simulator: Simulator | None = None,
        region: str | None = None,
    ) -> None:
        """``region`` is the default region of the ``Simulator`` it makes (us-east-1 when
        None); give it to the ``Simulator`` instead when passing one."""
        if not is_loopback(host):
            raise ValueError(f"the simulator only listens on loopback addresses, not {host!r}")
        if simulator is not None and region is not None:
            raise ValueError("give the default region to the Simulator passed, not to the server")
        self.host = host
        self.requested_port = port
        self.simulator = simulator or (Simulator() if region is None else Simulator(region=region))
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port actually bound (known once started)."""
        if self._server is None:
            raise RuntimeError("the simulator server is not running")
        return int(self._server.server_port)

    @property
    def endpoint_url(self) -> str:
        """Base URL for boto3's ``endpoint_url`` and for the control API."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def control(self) -> SimulatorControl:
        """A control API client for this server."""
        return SimulatorControl(self.endpoint_url)

    def start(self) -> SimulatorServer:
        """Bind and start serving in a daemon thread."""
        if self._server is not None:
            return self
        self._server = make_server(
            self.host,
            self.requested_port,
            SimulatorApp(self.simulator),
            threaded=True,
            request_handler=_RequestHandler,
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"workspaces-simulator-{self.port}",
            daemon=True,
        )
        self._thread.start()
        LOG.debug("simulator serving on %s", self.endpoint_url)
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
