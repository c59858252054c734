"""Per-operation fault injection: throttling, 5xx, latency, access denied, forced failures,
lost answers and dropped connections.

The configuration is a mapping of WorkSpaces operation name (or ``"*"`` for
every operation without an entry of its own) to an ``OperationFaults`` spec.
``FaultInjector.decide`` is consulted before a request reaches the backend; a
call it rejects changes nothing. A call it lets through may still have its
answer replaced by an error (``lose_answers``): the backend acted on it, the
caller cannot tell (or, with ``drop``, the connection is closed unanswered).
Randomness comes from a per-operation RNG seeded from the
configuration, so a given sequence of calls always meets the same transient
errors.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .errors import (
    AccessDeniedException,
    JsonRESTError,
    OperationNotSupportedException,
    ServerError,
    SimulatedServiceError,
    ThrottlingException,
)
from .validation import service_model

WILDCARD = "*"
DEFAULT_FAILED_CODE = "InternalError"
DEFAULT_FAILED_MESSAGE = "An internal error occurred while processing the request."

#: The fault kinds ``calls()`` reports, in the order the injector applies them.
COUNTED_KINDS = ("dropped", "access_denied", "throttled", "server_error", "answer_lost")

#: A lost answer's default error code for each HTTP status that has one.
LOST_ANSWER_STATUS = 500
LOST_ANSWER_MESSAGE = "We encountered an internal error. Please try again."


def _number(value: Any, what: str, low: float = 0.0, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{what} must be a number, got {value!r}")
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f">= {low}"
        raise ValueError(f"{what} must be {bounds}, got {value!r}")
    return float(value)


def _count(value: Any, what: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} must be an integer, got {value!r}")
    if value < low:
        raise ValueError(f"{what} must be >= {low}, got {value!r}")
    return value


def _check_keys(data: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ValueError(f"unknown keys in {where}: {', '.join(sorted(unknown))}")


@dataclass(frozen=True)
class ThrottleSpec:
    """Token bucket: ``burst`` tokens, refilled at ``rate`` tokens per real second."""

    rate: float
    burst: float

    @classmethod
    def from_dict(cls, data: Any, where: str) -> ThrottleSpec:
        """Parse ``{rate, burst}``."""
        if not isinstance(data, dict):
            raise ValueError(f"{where}.throttle must be a mapping with rate and burst")
        _check_keys(data, {"rate", "burst"}, f"{where}.throttle")
        rate = _number(data.get("rate", 0), f"{where}.throttle.rate")
        burst = _number(data.get("burst", 1), f"{where}.throttle.burst")
        return cls(rate, burst)


@dataclass(frozen=True)
class LostAnswersSpec:
    """Calls processed by the backend whose answer is replaced by an error, or by nothing.

    Either the first ``count`` calls that reach the backend, or, once per id, the
    first call naming each of ``workspaces``. With ``drop`` the connection is
    closed without any HTTP response instead of answering an error: the worst
    case for a caller, which cannot even tell whether its request arrived.
    """

    count: int = 0
    workspaces: tuple[str, ...] = ()
    status: int = LOST_ANSWER_STATUS
    code: str = ServerError.CODES[LOST_ANSWER_STATUS]
    drop: bool = False

    @classmethod
    def from_dict(cls, data: Any, where: str) -> LostAnswersSpec:
        """Parse ``{count | workspaces, status, code}`` or ``{count | workspaces, drop}``."""
        where = f"{where}.lose_answers"
        if not isinstance(data, dict):
            raise ValueError(f"{where} must be a mapping with count or workspaces")
        _check_keys(data, {"count", "workspaces", "status", "code", "drop"}, where)
        if ("count" in data) == ("workspaces" in data):
            raise ValueError(f"{where} needs exactly one of count and workspaces")
        count = _count(data["count"], f"{where}.count", 1) if "count" in data else 0
        workspaces = _id_list(data.get("workspaces", []), f"{where}.workspaces")
        if "workspaces" in data and not workspaces:
            raise ValueError(f"{where}.workspaces must name at least one WorkSpace")
        drop = data.get("drop", False)
        if not isinstance(drop, bool):
            raise ValueError(f"{where}.drop must be true or false, got {drop!r}")
        if drop and ("status" in data or "code" in data):
            raise ValueError(f"{where}: a dropped answer has no status or code")
        status = data.get("status", LOST_ANSWER_STATUS)
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
            raise ValueError(
                f"{where}.status must be an HTTP error status (400 to 599), got {status!r}"
            )
        code = data.get("code", ServerError.CODES.get(status))
        if not isinstance(code, str) or not code:
            raise ValueError(f"{where}.code is required with status {status} and must be a string")
        return cls(count, tuple(dict.fromkeys(workspaces)), status, code, drop)

    def to_dict(self) -> dict[str, Any]:
        """The same shape ``from_dict`` reads."""
        data: dict[str, Any] = (
            {"count": self.count} if self.count else {"workspaces": list(self.workspaces)}
        )
        if self.drop:
            data["drop"] = True
        else:
            data.update(status=self.status, code=self.code)
        return data

    def error(self) -> JsonRESTError:
        """The error sent instead of the real answer."""
        return SimulatedServiceError(self.code, LOST_ANSWER_MESSAGE, status=self.status)


@dataclass(frozen=True)
class OperationFaults:
    """Every fault configured for one operation."""

    throttle: ThrottleSpec | None = None
    server_error_rate: float = 0.0
    server_error_status: int = 503
    seed: int | str = 0
    latency: float = 0.0
    access_denied: bool = False
    unsupported: frozenset[str] = frozenset()
    failed_requests: dict[str, tuple[str, str]] = field(default_factory=dict)
    lose_answers: LostAnswersSpec | None = None
    #: Once this many calls have reached the backend, drop every further call.
    drop_after: int | None = None

    @classmethod
    def from_dict(cls, data: Any, where: str) -> OperationFaults:
        """Parse one operation's section of the faults mapping."""
        if not isinstance(data, dict):
            raise ValueError(f"{where} must be a mapping")
        allowed = {
            "throttle",
            "server_errors",
            "latency",
            "access_denied",
            "unsupported",
            "failed_requests",
            "lose_answers",
            "drop_connections",
        }
        _check_keys(data, allowed, where)
        throttle = data.get("throttle")
        lose_answers = data.get("lose_answers")
        rate, status, seed = _server_errors(data.get("server_errors"), where)
        return cls(
            throttle=ThrottleSpec.from_dict(throttle, where) if throttle is not None else None,
            server_error_rate=rate,
            server_error_status=status,
            seed=seed,
            latency=_number(data.get("latency", 0), f"{where}.latency"),
            access_denied=bool(data.get("access_denied", False)),
            unsupported=frozenset(_id_list(data.get("unsupported", []), f"{where}.unsupported")),
            failed_requests=_failed_requests(data.get("failed_requests", {}), where),
            lose_answers=(
                LostAnswersSpec.from_dict(lose_answers, where) if lose_answers is not None else None
            ),
            drop_after=_drop_after(data.get("drop_connections"), where),
        )

    def to_dict(self) -> dict[str, Any]:
        """The same shape ``from_dict`` reads."""
        data: dict[str, Any] = {}
        if self.throttle is not None:
            data["throttle"] = {"rate": self.throttle.rate, "burst": self.throttle.burst}
        if self.server_error_rate:
            data["server_errors"] = {
                "rate": self.server_error_rate,
                "status": self.server_error_status,
                "seed": self.seed,
            }
        if self.latency:
            data["latency"] = self.latency
        if self.access_denied:
            data["access_denied"] = True
        if self.unsupported:
            data["unsupported"] = sorted(self.unsupported)
        if self.failed_requests:
            data["failed_requests"] = {
                ws: {"code": code, "message": message}
                for ws, (code, message) in self.failed_requests.items()
            }
        if self.lose_answers is not None:
            data["lose_answers"] = self.lose_answers.to_dict()
        if self.drop_after is not None:
            data["drop_connections"] = {"after": self.drop_after}
        return data


def _server_errors(data: Any, where: str) -> tuple[float, int, int | str]:
    if data is None:
        return 0.0, 503, 0
    if isinstance(data, (int, float)) and not isinstance(data, bool):
        data = {"rate": data}
    if not isinstance(data, dict):
        raise ValueError(f"{where}.server_errors must be a rate or a mapping")
    _check_keys(data, {"rate", "status", "seed"}, f"{where}.server_errors")
    rate = _number(data.get("rate", 0), f"{where}.server_errors.rate", 0.0, 1.0)
    status = data.get("status", 503)
    if status not in ServerError.CODES:
        raise ValueError(f"{where}.server_errors.status must be 500 or 503, got {status!r}")
    seed = data.get("seed", 0)
    if not isinstance(seed, (int, str)) or isinstance(seed, bool):
        raise ValueError(f"{where}.server_errors.seed must be an integer or a string")
    return rate, int(status), seed


def _drop_after(data: Any, where: str) -> int | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise ValueError(f"{where}.drop_connections must be a mapping like {{after: 3}}")
    _check_keys(data, {"after"}, f"{where}.drop_connections")
    if "after" not in data:
        raise ValueError(f"{where}.drop_connections.after is required")
    return _count(data["after"], f"{where}.drop_connections.after", 0)


def _id_list(data: Any, where: str) -> list[str]:
    if not isinstance(data, list) or not all(isinstance(item, str) for item in data):
        raise ValueError(f"{where} must be a list of WorkSpace ids")
    return list(data)


def _failed_requests(data: Any, where: str) -> dict[str, tuple[str, str]]:
    """Accept a list of ids (default code) or a mapping id -> {code, message}."""
    if isinstance(data, list):
        ids = _id_list(data, f"{where}.failed_requests")
        return {ws: (DEFAULT_FAILED_CODE, DEFAULT_FAILED_MESSAGE) for ws in ids}
    if not isinstance(data, dict):
        raise ValueError(f"{where}.failed_requests must be a list or a mapping")
    result = {}
    for workspace_id, raw_spec in data.items():
        spec = raw_spec or {}
        if not isinstance(spec, dict):
            raise ValueError(f"{where}.failed_requests.{workspace_id} must be a mapping")
        _check_keys(spec, {"code", "message"}, f"{where}.failed_requests.{workspace_id}")
        result[str(workspace_id)] = (
            str(spec.get("code", DEFAULT_FAILED_CODE)),
            str(spec.get("message", DEFAULT_FAILED_MESSAGE)),
        )
    return result


def parse_faults(data: Any) -> dict[str, OperationFaults]:
    """Validate a whole faults mapping (operation name -> spec)."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValueError("faults must be a mapping of operation name to fault settings")
    operations = set(service_model().operation_names)
    parsed = {}
    for operation, spec in data.items():
        if operation != WILDCARD and operation not in operations:
            raise ValueError(f"faults: {operation!r} is not a WorkSpaces operation")
        parsed[operation] = OperationFaults.from_dict(spec, f"faults.{operation}")
    return parsed


class TokenBucket:
    """Classic token bucket; starts full."""

    def __init__(self, spec: ThrottleSpec, clock: Callable[[], float]) -> None:
        self._spec = spec
        self._clock = clock
        self._tokens = spec.burst
        self._updated = clock()

    def take(self) -> bool:
        """Consume one token if there is one."""
        now = self._clock()
        elapsed = now - self._updated
        self._updated = now
        self._tokens = min(self._spec.burst, self._tokens + elapsed * self._spec.rate)
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False


@dataclass
class Decision:
    """What to do with one incoming call."""

    latency: float = 0.0
    error: JsonRESTError | None = None
    #: One of COUNTED_KINDS, "unsupported", or None when the call proceeds untouched.
    kind: str | None = None
    #: Close the connection without answering (the call does not reach the backend).
    drop: bool = False
    #: The call proceeds, but the caller gets this error instead of the real answer.
    lost_answer: JsonRESTError | None = None
    #: The call proceeds, then the connection is closed without any answer.
    drop_answer: bool = False


class FaultInjector:
    """Thread-safe holder of the fault configuration and its runtime state."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._faults: dict[str, OperationFaults] = {}
        self._buckets: dict[str, TokenBucket] = {}
        self._rngs: dict[str, random.Random] = {}
        #: Per operation: calls let through to the backend since the faults were set.
        self._passed: dict[str, int] = {}
        #: Per operation: answers lost so far, and the WorkSpaces whose answer was lost.
        self._lost: dict[str, int] = {}
        self._lost_ids: dict[str, set[str]] = {}

    def configure(self, data: Any) -> None:
        """Replace every fault (validated first, so a bad mapping changes nothing)."""
        parsed = parse_faults(data)
        with self._lock:
            self._faults = parsed
            self._buckets = {}
            self._rngs = {}
            self._passed = {}
            self._lost = {}
            self._lost_ids = {}

    def to_dict(self) -> dict[str, Any]:
        """The active configuration."""
        with self._lock:
            return {op: spec.to_dict() for op, spec in self._faults.items()}

    def _spec(self, operation: str) -> OperationFaults | None:
        return self._faults.get(operation) or self._faults.get(WILDCARD)

    def decide(self, operation: str, workspace_ids: Iterable[str]) -> Decision:
        """Decide whether a call proceeds, how long it is delayed and whether its answer is lost."""
        workspace_ids = list(workspace_ids)
        with self._lock:
            spec = self._spec(operation)
            if spec is None:
                return Decision()
            decision = Decision(latency=spec.latency)
            passed = self._passed.get(operation, 0)
            if spec.drop_after is not None and passed >= spec.drop_after:
                decision.drop, decision.kind = True, "dropped"
            elif spec.access_denied:
                decision.error, decision.kind = AccessDeniedException(operation), "access_denied"
            elif spec.throttle is not None and not self._bucket(operation, spec).take():
                decision.error, decision.kind = ThrottlingException(), "throttled"
            elif (
                spec.server_error_rate
                and self._rng(operation, spec).random() < spec.server_error_rate
            ):
                decision.error = ServerError(spec.server_error_status)
                decision.kind = "server_error"
            elif spec.unsupported.intersection(workspace_ids):
                decision.error, decision.kind = OperationNotSupportedException(), "unsupported"
            else:
                self._passed[operation] = passed + 1
                lose = spec.lose_answers
                if lose is not None and self._loses(operation, lose, workspace_ids):
                    decision.kind = "answer_lost"
                    if lose.drop:
                        decision.drop_answer = True
                    else:
                        decision.lost_answer = lose.error()
            return decision

    def _loses(self, operation: str, spec: LostAnswersSpec, workspace_ids: list[str]) -> bool:
        """Whether this call, about to reach the backend, has its answer lost (and count it)."""
        if spec.count:
            lost = self._lost.get(operation, 0)
            if lost >= spec.count:
                return False
            self._lost[operation] = lost + 1
            return True
        already = self._lost_ids.setdefault(operation, set())
        chosen = {ws for ws in workspace_ids if ws in spec.workspaces and ws not in already}
        already.update(chosen)
        return bool(chosen)

    def _bucket(self, operation: str, spec: OperationFaults) -> TokenBucket:
        assert spec.throttle is not None
        if operation not in self._buckets:
            self._buckets[operation] = TokenBucket(spec.throttle, self._clock)
        return self._buckets[operation]

    def _rng(self, operation: str, spec: OperationFaults) -> random.Random:
        if operation not in self._rngs:
            self._rngs[operation] = random.Random(f"{spec.seed}:{operation}")
        return self._rngs[operation]

    def forced_failure(self, operation: str, workspace_id: str) -> tuple[str, str] | None:
        """The (ErrorCode, ErrorMessage) forced for this WorkSpace, if any."""
        with self._lock:
            spec = self._spec(operation)
            return spec.failed_requests.get(workspace_id) if spec is not None else None
