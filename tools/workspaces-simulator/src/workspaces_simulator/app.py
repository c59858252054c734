"""WSGI application: the AWS JSON front door and the ``/_sim/`` control API.

AWS requests (``X-Amz-Target: WorkspacesService.<Operation>``) are counted,
passed through fault injection, and only then handed to moto's response
machinery under the simulator lock, with the backend of the request's account
(the one its access key reaches, see ``accounts``) and region (that of its SigV4
credential scope). Requests signed for the service ``sts`` or ``iam`` (the Query
protocol) go to ``sts`` instead: AssumeRole, GetCallerIdentity, and IAM's
ListAccountAliases. Injected latency is slept before the lock
is taken so that concurrent slow calls overlap, as they would against AWS.

Two faults act on the connection rather than on the service: a lost answer
replaces the backend's real answer by an error (or, with ``drop``, by a closed
connection) after the backend acted, and a dropped connection is closed
without any HTTP response before the backend sees the call
(``DroppedConnection``, which the threaded server treats as a connection the
client closed).
"""

from __future__ import annotations

import json
import logging
import re
import socket
import time
import urllib.parse
from collections.abc import Callable, Iterable
from typing import Any, NoReturn

# moto imports this lazily on the first request it handles; importing it here
# keeps that first request from taking a second or more.
import moto.iam.models  # noqa: F401  # pylint: disable=unused-import
from moto.core.request import Request
from werkzeug.wrappers import Response

from .accounts import CredentialError
from .backend import SimulatedWorkSpacesBackend
from .calls import workspace_ids_in
from .core import Simulator
from .errors import (
    JsonRESTError,
    NotImplementedByTheSimulator,
    ResourceNotFoundException,
    SimulatedServiceError,
    error_response,
)
from .responses import SimulatedWorkSpacesResponse
from .sts import (
    IAM_NAMESPACE,
    STS_NAMESPACE,
    SimulatedSTSResponse,
    StsError,
    iam_response,
    sts_error_response,
)
from .validation import operation_model

LOG = logging.getLogger(__name__)

CONTROL_PREFIX = "/_sim/"
TARGET_PREFIX = "WorkspacesService."
JSON_CONTENT_TYPE = "application/x-amz-json-1.1"
_WORKSPACE_ROUTE = re.compile(
    r"^/_sim/workspaces/(?P<workspace_id>[^/]+)/(?P<what>state|connection)$"
)
#: The SigV4 credential scope: Credential=KEY/DATE/REGION/SERVICE/aws4_request.
_CREDENTIAL_SCOPE = re.compile(
    r"Credential=(?P<key>[^/,\s]+)/[^/,\s]*/(?P<region>[^/,\s]*)/(?P<service>[^/,\s]*)/aws4_request"
)


def credential_scope(request: Request) -> tuple[str | None, str | None]:
    """The access key and the service of the request's SigV4 credential scope (None when the
    request carries none)."""
    match = _CREDENTIAL_SCOPE.search(request.headers.get("Authorization", ""))
    if match is None:
        return None, None
    return match.group("key"), match.group("service")


class DroppedConnection(ConnectionAbortedError):
    """Raised out of the WSGI application to close the connection without answering.

    werkzeug's request handler treats a ``ConnectionError`` raised by the
    application as a connection dropped by the client: it writes nothing. The
    socket is shut down first, so the client sees the connection closed whatever
    the server does next.
    """


def drop_connection(environ: dict[str, Any], operation: str) -> NoReturn:
    """Shut the request's socket down (when the server exposes it) and abandon the request."""
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed by the client
    raise DroppedConnection(f"{operation}: connection dropped by an injected fault")


class SimulatorRequest(Request):
    """moto's request type, marked as coming from a real WSGI server."""

    from_wsgi_server = True


class ControlError(Exception):
    """A control API request that cannot be served."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _json_response(payload: Any, status: int = 200) -> Response:
    return Response(json.dumps(payload), status=status, content_type="application/json")


def _aws_response(status: int, headers: dict[str, Any], body: Any) -> Response:
    headers = {k: str(v) for k, v in headers.items() if k.lower() != "status"}
    if not any(k.lower() == "content-type" for k in headers):
        headers["Content-Type"] = JSON_CONTENT_TYPE
    return Response(body, status=status, headers=headers)


def _aws_error(error: JsonRESTError) -> Response:
    return _aws_response(*error_response(error))


class SimulatorApp:
    """Routes each request to the control API or to the simulated WorkSpaces service."""

    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator
        self._routes: dict[tuple[str, str], Callable[[SimulatorRequest], Any]] = {
            ("GET", "/_sim/health"): lambda _request: {"ok": True},
            ("POST", "/_sim/reset"): self._reset,
            ("POST", "/_sim/scenario"): lambda r: self.simulator.load_scenario(_body(r)),
            ("GET", "/_sim/workspaces"): lambda r: {
                "workspaces": self.simulator.workspaces(r.args.get("region"), r.args.get("account"))
            },
            ("GET", "/_sim/timing"): lambda _request: self.simulator.timing.to_dict(),
            ("PUT", "/_sim/timing"): self._set_timing,
            ("GET", "/_sim/faults"): lambda _request: self.simulator.faults.to_dict(),
            ("PUT", "/_sim/faults"): self._set_faults,
            ("GET", "/_sim/calls"): lambda _request: self.simulator.calls.snapshot(
                by_account=self.simulator.accounts_declared
            ),
            ("DELETE", "/_sim/calls"): self._reset_calls,
            ("GET", "/_sim/schedule"): lambda _request: {"events": self.simulator.pending_events()},
            ("PUT", "/_sim/schedule"): self._set_schedule,
        }

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = SimulatorRequest(environ)
        if request.path.startswith(CONTROL_PREFIX):
            response = self._control(request)
        else:
            response = self._aws(request)
        return response(environ, start_response)

    # ------------------------------------------------------------------ AWS side

    def _aws(self, request: SimulatorRequest) -> Response:
        service = credential_scope(request)[1]
        if service in ("sts", "iam"):
            return self._query(request, service)
        target = request.headers.get("X-Amz-Target", "")
        operation = target[len(TARGET_PREFIX) :] if target.startswith(TARGET_PREFIX) else ""
        if not operation or operation_model(operation) is None:
            return _aws_error(
                SimulatedServiceError(
                    "UnknownOperationException",
                    "Expected the AWS JSON 1.1 protocol with "
                    f"X-Amz-Target: {TARGET_PREFIX}<Operation>; got {target!r}.",
                )
            )
        try:
            params = json.loads(request.get_data() or b"{}")
            if not isinstance(params, dict):
                raise ValueError("the request body must be a JSON object")
        except ValueError as exc:
            return _aws_error(SimulatedServiceError("SerializationException", str(exc)))
        try:
            account = self._account_of(request)
        except CredentialError as exc:
            # The JSON protocol's answer for a key AWS does not know (HTTP 400, as its other
            # JSON services answer it), before any fault or backend.
            self.simulator.calls.unrecognized(operation)
            code = "ExpiredTokenException" if exc.expired else "UnrecognizedClientException"
            return _aws_error(SimulatedServiceError(code, str(exc)))
        return self._serve(operation, params, request, account)

    def _account_of(self, request: SimulatorRequest) -> str:
        """The account the request's credentials reach; CredentialError when none."""
        return self.simulator.account_for(
            credential_scope(request)[0], request.headers.get("X-Amz-Security-Token")
        )

    def _query(self, request: SimulatorRequest, service: str) -> Response:
        """STS and IAM, the Query protocol (never faulted): counted like WorkSpaces calls, by
        the caller's account and the region its request is signed for."""
        namespace = STS_NAMESPACE if service == "sts" else IAM_NAMESPACE
        form = urllib.parse.parse_qs(request.get_data(as_text=True))
        operation = (form.get("Action") or [""])[0] or f"Unknown{service.upper()}Action"
        calls = self.simulator.calls
        try:
            account = self._account_of(request)
        except CredentialError as exc:
            calls.unrecognized(operation)
            code = "ExpiredToken" if exc.expired else "InvalidClientTokenId"
            return _aws_response(
                *sts_error_response(
                    StsError(code, str(exc), 400 if exc.expired else 403), namespace
                )
            )
        region = SimulatedWorkSpacesResponse(
            self.simulator.faults.forced_failure, self.simulator.default_region
        ).region_of(request)
        calls.received(operation, [], region=region, account=account)
        handler = SimulatedSTSResponse(
            self.simulator.credentials,
            credential_scope(request)[0],
            account,
            self.simulator.wall_clock,
        )
        with self.simulator.lock:
            try:
                if service == "iam":
                    response = _aws_response(*iam_response(operation))
                else:
                    response = _aws_response(*handler.serve(request))
            except StsError as error:
                response = _aws_response(*sts_error_response(error, namespace))
        calls.accepted(operation, [], region=region, account=account)
        return response

    def _serve(
        self,
        operation: str,
        params: dict[str, Any],
        request: SimulatorRequest,
        account: str,
    ) -> Response:
        workspace_ids = workspace_ids_in(params)
        handler = SimulatedWorkSpacesResponse(
            self.simulator.faults.forced_failure, self.simulator.default_region
        )
        region = handler.region_of(request)
        calls = self.simulator.calls
        calls.received(operation, workspace_ids, region=region, account=account)
        decision = self.simulator.faults.decide(operation, workspace_ids)
        if decision.latency:
            time.sleep(decision.latency)
        if decision.drop:
            calls.fault(operation, decision.kind or "")
            drop_connection(request.environ, operation)
        if decision.error is not None:
            calls.fault(operation, decision.kind or "")
            return _aws_error(decision.error)
        with self.simulator.lock:
            self.simulator.catch_up()
            backend = self.simulator.backend_for(region, account)
            response = self._dispatch(operation, handler, backend, request)
            # Still under the lock: a change due after this call is in place for the next one.
            self.simulator.call_carried_out(operation, workspace_ids)
        calls.accepted(
            operation,
            [ws for ws in workspace_ids if ws not in handler.forced_ids],
            started=handler.started_ids,
            region=region,
            account=account,
        )
        if decision.drop_answer:
            # The backend acted; the caller is left with a closed connection.
            calls.fault(operation, decision.kind or "")
            drop_connection(request.environ, operation)
        if decision.lost_answer is not None:
            # The backend acted; the caller never learns how it answered.
            calls.fault(operation, decision.kind or "")
            return _aws_error(decision.lost_answer)
        return response

    @staticmethod
    def _dispatch(
        operation: str,
        handler: SimulatedWorkSpacesResponse,
        backend: SimulatedWorkSpacesBackend,
        request: SimulatorRequest,
    ) -> Response:
        try:
            return _aws_response(*handler.serve(backend, request))
        except NotImplementedError:
            return _aws_error(NotImplementedByTheSimulator(operation))
        except Exception:  # pylint: disable=broad-exception-caught
            # Answer like the service would rather than dropping the connection.
            LOG.exception("%s failed inside the simulator", operation)
            return _aws_error(
                SimulatedServiceError("InternalFailure", f"{operation} failed.", status=500)
            )

    # -------------------------------------------------------------- control API

    def _control(self, request: SimulatorRequest) -> Response:
        try:
            return _json_response(self._route(request)(request))
        except ControlError as exc:
            return _json_response({"error": str(exc)}, exc.status)
        except ResourceNotFoundException as exc:
            return _json_response({"error": exc.message}, 404)
        except ValueError as exc:
            return _json_response({"error": str(exc)}, 400)
        except Exception as exc:  # pylint: disable=broad-exception-caught
            LOG.exception("control request %s %s failed", request.method, request.path)
            return _json_response({"error": f"{type(exc).__name__}: {exc}"}, 500)

    def _route(self, request: SimulatorRequest) -> Callable[[SimulatorRequest], Any]:
        path = request.path.rstrip("/")
        handler = self._routes.get((request.method, path))
        if handler is not None:
            return handler
        match = _WORKSPACE_ROUTE.match(path)
        if match and request.method == "POST":
            setter = self._set_state if match.group("what") == "state" else self._set_connection
            return lambda r: setter(match.group("workspace_id"), r)
        if match or any(route_path == path for _method, route_path in self._routes):
            raise ControlError(405, f"{request.method} is not allowed on {path}")
        raise ControlError(404, f"no control endpoint {path}")

    def _reset(self, _request: SimulatorRequest) -> dict[str, Any]:
        self.simulator.reset()
        return {"ok": True}

    def _reset_calls(self, _request: SimulatorRequest) -> dict[str, Any]:
        self.simulator.calls.reset()
        return {"ok": True}

    def _set_state(self, workspace_id: str, request: SimulatorRequest) -> dict[str, Any]:
        state = _body(request).get("state")
        if not isinstance(state, str):
            raise ControlError(400, 'expected a body like {"state": "AVAILABLE"}')
        self.simulator.set_state(workspace_id, state)
        return {"WorkspaceId": workspace_id, "State": state}

    def _set_connection(self, workspace_id: str, request: SimulatorRequest) -> dict[str, Any]:
        state = _body(request).get("state")
        if not isinstance(state, str):
            raise ControlError(400, 'expected a body like {"state": "CONNECTED"}')
        return self.simulator.set_connection_state(workspace_id, state)

    def _set_schedule(self, request: SimulatorRequest) -> dict[str, Any]:
        body = _json(request)
        if isinstance(body, dict):
            unknown = set(body) - {"events"}
            if unknown:
                raise ControlError(400, f"unknown schedule keys: {', '.join(sorted(unknown))}")
            body = body.get("events", [])
        elif body is None:
            body = []
        return {"events": self.simulator.set_schedule(body)}

    def _set_timing(self, request: SimulatorRequest) -> dict[str, Any]:
        body = _body(request)
        unknown = set(body) - {"speed", "durations", "stale_seconds"}
        if unknown:
            raise ControlError(400, f"unknown timing keys: {', '.join(sorted(unknown))}")
        timing = self.simulator.set_timing(
            body.get("speed"), body.get("durations"), body.get("stale_seconds")
        )
        return timing.to_dict()

    def _set_faults(self, request: SimulatorRequest) -> dict[str, Any]:
        self.simulator.faults.configure(_body(request))
        return self.simulator.faults.to_dict()


def _json(request: SimulatorRequest) -> Any:
    """The request body as JSON (None when empty)."""
    raw = request.get_data()
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ControlError(400, f"the body is not valid JSON: {exc}") from exc


def _body(request: SimulatorRequest) -> dict[str, Any]:
    data = _json(request)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ControlError(400, "the body must be a JSON object")
    return data
