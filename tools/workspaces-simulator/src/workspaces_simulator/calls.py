"""Thread-safe counts of the AWS calls the simulator received and accepted, and of the
transitions they started.

A request that reached the backend is not the same as an action carried out:
the backend may refuse it (FailedRequests, an error) or act on some of its
WorkSpaces only. ``started`` counts what actually happened, so a test can tell
"the rebuild was asked for twice" from "the WorkSpace was rebuilt twice".
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from .faults import COUNTED_KINDS
from .lifecycle import ACTION_BY_OPERATION


def workspace_ids_in(params: dict[str, Any]) -> list[str]:
    """WorkSpace ids a request names, each once, in the order they appear.

    Sources: ``WorkspaceIds``, ``WorkspaceId``, ``ResourceId`` (only ``ws-`` ids,
    since it may also name a directory or an image) and ``*Requests[].WorkspaceId``.
    """
    found: list[str] = []
    ids = params.get("WorkspaceIds")
    if isinstance(ids, list):
        found.extend(item for item in ids if isinstance(item, str))
    for key in ("WorkspaceId", "ResourceId"):
        value = params.get(key)
        if isinstance(value, str) and (key == "WorkspaceId" or value.startswith("ws-")):
            found.append(value)
    for key, value in params.items():
        if key.endswith("Requests") and isinstance(value, list):
            found.extend(
                item["WorkspaceId"]
                for item in value
                if isinstance(item, dict) and isinstance(item.get("WorkspaceId"), str)
            )
    return list(dict.fromkeys(found))


class CallCounter:
    """Counts requests per operation, per WorkSpace, per region and per account; safe to use
    from many threads. The counts without a region or account are the sums over all."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: Counter[str] = Counter()
        self._accepted: Counter[str] = Counter()
        self._received_ws: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self._accepted_ws: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self._faults: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self._started: Counter[str] = Counter()
        self._started_ws: defaultdict[str, Counter[str]] = defaultdict(Counter)
        #: region -> operation -> count, for the regions that received a call.
        self._received_region: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self._accepted_region: defaultdict[str, Counter[str]] = defaultdict(Counter)
        #: (account, region) -> operation -> count, for the places that received a call.
        self._received_place: defaultdict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        self._accepted_place: defaultdict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        #: operation -> requests refused because their credentials reach no account.
        self._unrecognized: Counter[str] = Counter()

    def received(
        self,
        operation: str,
        workspace_ids: Iterable[str],
        region: str | None = None,
        account: str | None = None,
    ) -> None:
        """A request arrived (before any fault was applied), for ``region`` of ``account``
        when known."""
        with self._lock:
            if region is not None:
                self._received_region[region][operation] += 1
                self._accepted_region[region][operation] += 0
                if account is not None:
                    self._received_place[(account, region)][operation] += 1
                    self._accepted_place[(account, region)][operation] += 0
            self._received[operation] += 1
            self._received_ws[operation].update(workspace_ids)
            # Make the operation visible in "accepted" and "faults" with zeros.
            self._accepted[operation] += 0
            self._faults[operation].update(dict.fromkeys(COUNTED_KINDS, 0))
            if operation in ACTION_BY_OPERATION:
                self._started[operation] += 0

    def unrecognized(self, operation: str) -> None:
        """A request arrived whose credentials reach no account: refused before anything else."""
        with self._lock:
            self._unrecognized[operation] += 1
            self._received[operation] += 1
            self._accepted[operation] += 0
            self._faults[operation].update(dict.fromkeys(COUNTED_KINDS, 0))
            if operation in ACTION_BY_OPERATION:
                self._started[operation] += 0

    def fault(self, operation: str, kind: str) -> None:
        """A fault rejected the request."""
        if kind not in COUNTED_KINDS:
            return
        with self._lock:
            self._faults[operation][kind] += 1

    def accepted(
        self,
        operation: str,
        workspace_ids: Iterable[str],
        started: Iterable[str] = (),
        region: str | None = None,
        account: str | None = None,
    ) -> None:
        """The request reached the backend, for these WorkSpaces, and began these transitions.

        ``started`` holds one id per transition begun, so an id the request moved
        twice (a batch naming it twice) counts twice.
        """
        started = list(started)
        with self._lock:
            if region is not None:
                self._accepted_region[region][operation] += 1
                if account is not None:
                    self._accepted_place[(account, region)][operation] += 1
            self._accepted[operation] += 1
            self._accepted_ws[operation].update(workspace_ids)
            if started:
                self._started[operation] += len(started)
                self._started_ws[operation].update(started)

    def reset(self) -> None:
        """Forget every count."""
        with self._lock:
            self._received.clear()
            self._accepted.clear()
            self._received_ws.clear()
            self._accepted_ws.clear()
            self._faults.clear()
            self._started.clear()
            self._started_ws.clear()
            self._received_region.clear()
            self._accepted_region.clear()
            self._received_place.clear()
            self._accepted_place.clear()
            self._unrecognized.clear()

    def snapshot(self, by_account: bool = False) -> dict[str, Any]:
        """Plain-dict copy in the shape the control API returns; with ``by_account`` (when the
        simulator has declared accounts), also ``by_account`` and ``unrecognized``."""
        with self._lock:
            counts = {
                "by_operation": dict(self._received),
                "accepted": dict(self._accepted),
                "by_workspace": {op: dict(c) for op, c in self._received_ws.items() if c},
                "accepted_by_workspace": {op: dict(c) for op, c in self._accepted_ws.items() if c},
                "faults": {
                    op: {kind: c[kind] for kind in COUNTED_KINDS} for op, c in self._faults.items()
                },
                "started": dict(self._started),
                "started_by_workspace": {op: dict(c) for op, c in self._started_ws.items() if c},
                "by_region": {
                    region: {
                        "by_operation": dict(received),
                        "accepted": dict(self._accepted_region[region]),
                    }
                    for region, received in self._received_region.items()
                },
            }
            if by_account:
                counts["by_account"] = self._by_account()
                counts["unrecognized"] = dict(self._unrecognized)
            return counts

    def _by_account(self) -> dict[str, Any]:
        """{account: {by_operation, accepted, by_region: {region: {by_operation, accepted}}}}
        for the accounts that received a call."""
        accounts: dict[str, Any] = {}
        for (account, region), received in self._received_place.items():
            entry = accounts.setdefault(
                account, {"by_operation": Counter(), "accepted": Counter(), "by_region": {}}
            )
            accepted = self._accepted_place[(account, region)]
            entry["by_operation"].update(received)
            entry["accepted"].update(accepted)
            entry["by_region"][region] = {
                "by_operation": dict(received),
                "accepted": dict(accepted),
            }
        for entry in accounts.values():
            entry["by_operation"] = dict(entry["by_operation"])
            entry["accepted"] = dict(entry["accepted"])
        return accounts
