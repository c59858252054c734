"""Helpers of the integration tests: playbook runs and the simulator's call counts."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import typing as t
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from pathlib import Path

INTEGRATION_DIR = Path(__file__).resolve().parent
PLAYBOOK_DIR = INTEGRATION_DIR / "playbooks"
COLLECTION_ROOT = INTEGRATION_DIR.parents[1]

# How long one playbook may run before the test fails.
PLAYBOOK_TIMEOUT = 600

# The page size of the simulator's DescribeWorkspaces and the most ids one call takes.
DESCRIBE_PAGE_SIZE = 25

# A rebuild snapshot taken six hours before the scenario is loaded: what AWS's twice-daily
# snapshots give most WorkSpaces, and what workspace_rebuild requires by default.
HAS_SNAPSHOT = {"rebuild": ["-6h"], "restore": ["-6h"]}

# Calls that change a WorkSpace; check mode must send none of them.
MUTATING_OPERATIONS = (
    "RebuildWorkspaces",
    "RebootWorkspaces",
    "RestoreWorkspace",
    "StartWorkspaces",
    "StopWorkspaces",
    "TerminateWorkspaces",
    "CreateTags",
    "DeleteTags",
)


def ceil_pages(count: int) -> int:
    """How many DescribeWorkspaces calls it takes to page or batch through count items."""
    return max(1, math.ceil(count / DESCRIBE_PAGE_SIZE))


def playbook_executable() -> Path:
    """The ansible-playbook installed beside the Python running the tests."""
    return Path(sys.executable).parent / "ansible-playbook"


# --------------------------------------------------------------------- call counts


@dataclass
class Calls:
    """The simulator's call counts (GET /_sim/calls), or the difference between two of them."""

    by_operation: dict[str, int] = field(default_factory=dict)
    accepted: dict[str, int] = field(default_factory=dict)
    by_workspace: dict[str, dict[str, int]] = field(default_factory=dict)
    accepted_by_workspace: dict[str, dict[str, int]] = field(default_factory=dict)
    faults: dict[str, dict[str, int]] = field(default_factory=dict)
    # Transitions actually begun (a WorkSpace moved into REBUILDING, RESTORING, ...), one per
    # WorkSpace moved: refused and fault-rejected calls do not count, lost answers do.
    started: dict[str, int] = field(default_factory=dict)
    started_by_workspace: dict[str, dict[str, int]] = field(default_factory=dict)

    @classmethod
    def of(cls, snapshot: t.Mapping[str, t.Any]) -> Calls:
        return cls(
            by_operation=dict(snapshot.get("by_operation", {})),
            accepted=dict(snapshot.get("accepted", {})),
            by_workspace={op: dict(c) for op, c in snapshot.get("by_workspace", {}).items()},
            accepted_by_workspace={op: dict(c) for op, c in snapshot.get("accepted_by_workspace", {}).items()},
            faults={op: dict(c) for op, c in snapshot.get("faults", {}).items()},
            started=dict(snapshot.get("started", {})),
            started_by_workspace={op: dict(c) for op, c in snapshot.get("started_by_workspace", {}).items()},
        )

    def __sub__(self, earlier: Calls) -> Calls:
        def flat(now: dict[str, int], before: dict[str, int]) -> dict[str, int]:
            keys = set(now) | set(before)
            diff = {key: now.get(key, 0) - before.get(key, 0) for key in keys}
            return {key: value for key, value in diff.items() if value}

        def nested(now: dict[str, dict[str, int]], before: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
            diff = {op: flat(now.get(op, {}), before.get(op, {})) for op in set(now) | set(before)}
            return {op: counts for op, counts in diff.items() if counts}

        return Calls(
            by_operation=flat(self.by_operation, earlier.by_operation),
            accepted=flat(self.accepted, earlier.accepted),
            by_workspace=nested(self.by_workspace, earlier.by_workspace),
            accepted_by_workspace=nested(self.accepted_by_workspace, earlier.accepted_by_workspace),
            faults=nested(self.faults, earlier.faults),
            started=flat(self.started, earlier.started),
            started_by_workspace=nested(self.started_by_workspace, earlier.started_by_workspace),
        )

    def count(self, operation: str) -> int:
        """Requests received for an operation, faulted or not."""
        return self.by_operation.get(operation, 0)

    def accepted_count(self, operation: str) -> int:
        """Requests that reached the simulated service (not rejected by an injected fault)."""
        return self.accepted.get(operation, 0)

    def accepted_for(self, operation: str) -> dict[str, int]:
        """How many times each WorkSpace was acted on by an operation that got through."""
        return dict(self.accepted_by_workspace.get(operation, {}))

    def received_for(self, operation: str) -> dict[str, int]:
        """How many requests named each WorkSpace, faulted or not."""
        return dict(self.by_workspace.get(operation, {}))

    def started_for(self, operation: str) -> dict[str, int]:
        """Actions the simulator actually began, per WorkSpace (refused requests excluded)."""
        return self.started_by_workspace.get(operation, {})

    def fault_count(self, operation: str, kind: str) -> int:
        return self.faults.get(operation, {}).get(kind, 0)

    @property
    def total(self) -> int:
        return sum(self.by_operation.values())

    def mutating(self) -> dict[str, int]:
        """Received requests of every operation that changes a WorkSpace."""
        return {op: n for op, n in self.by_operation.items() if op in MUTATING_OPERATIONS and n}


# ------------------------------------------------------------------ playbook runs


class PlaybookError(AssertionError):
    """A playbook run that did not end the way the test expected."""


@dataclass
class TaskRun:
    """One task's result on localhost, as the json callback reports it."""

    name: str
    result: dict[str, t.Any]
    start: datetime
    end: datetime

    @property
    def seconds(self) -> float:
        """How long the task ran."""
        return (self.end - self.start).total_seconds()


def _timestamp(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


@dataclass
class PlaybookRun:
    """The outcome of one ansible-playbook process."""

    playbook: str
    returncode: int
    stdout: str
    stderr: str
    document: dict[str, t.Any]
    tasks: list[TaskRun]

    def task(self, name: str) -> TaskRun:
        """The one task of this name (names are unique within each playbook)."""
        found = [task for task in self.tasks if task.name == name]
        if len(found) != 1:
            known = "\n  ".join(task.name for task in self.tasks)
            raise KeyError(f"{len(found)} tasks named {name!r} ran in {self.playbook}; tasks that ran:\n  {known}")
        return found[0]

    def result(self, name: str) -> dict[str, t.Any]:
        """The registered result of the task of this name."""
        return self.task(name).result

    def fact(self, name: str) -> t.Any:
        """A fact set by set_fact (the last task that set it)."""
        for task in reversed(self.tasks):
            facts = task.result.get("ansible_facts") or {}
            if name in facts:
                return facts[name]
        raise KeyError(f"no task of {self.playbook} set the fact {name!r}")

    def calls(self, fact_name: str) -> Calls:
        """A call-count snapshot a playbook took with set_fact."""
        return Calls.of(self.fact(fact_name))

    def failure_report(self) -> str:
        """What made the playbook fail: the last failed task (the one that stopped the play)."""
        failed = [task for task in self.tasks if task.result.get("failed")]
        if not failed:
            return "(no failed task reported)"
        last = failed[-1]
        lines = [f"stopped at {last.name!r}: {last.result.get('msg')}"]
        if "assertion" in last.result:
            lines.append(f"  assertion: {last.result['assertion']}")
        for item in last.result.get("results", []):
            if item.get("failed"):
                detail = item.get("assertion") or item.get("msg")
                lines.append(f"  item {str(item.get('_ansible_item_label'))[:200]}: {detail}")
        if len(failed) > 1:
            lines.append("earlier failed tasks (their errors were ignored): " + "; ".join(t.name for t in failed[:-1]))
        return "\n".join(lines)


def _parse_json_callback(playbook: str, stdout: str) -> dict[str, t.Any]:
    start = stdout.find("{")
    if start < 0:
        raise PlaybookError(f"{playbook}: the json callback printed nothing")
    return json.JSONDecoder().raw_decode(stdout[start:])[0]


def _task_runs(document: dict[str, t.Any]) -> list[TaskRun]:
    runs = []
    for play in document.get("plays", []):
        for task in play.get("tasks", []):
            host = task.get("hosts", {}).get("localhost")
            if host is None:
                continue
            duration = task["task"].get("duration", {})
            runs.append(TaskRun(task["task"]["name"], host, _timestamp(duration["start"]), _timestamp(duration["end"])))
    return runs


@dataclass
class AnsibleRunner:
    """Runs the integration playbooks against one simulator endpoint."""

    environment: dict[str, str]
    workdir: Path
    endpoint_url: str

    def run(
        self,
        playbook: str,
        extra_vars: t.Mapping[str, t.Any] | None = None,
        expect_success: bool = True,
        options: t.Sequence[str] = (),
    ) -> PlaybookRun:
        """Run playbooks/<playbook> (or a collection's playbook by name, such as
        euc.workspaces.rebuild_unhealthy) with sim_endpoint and extra_vars; the parsed results."""
        target, stem = _playbook_target(playbook)
        variables = {"sim_endpoint": self.endpoint_url, **(extra_vars or {})}
        vars_file = self.workdir / f"{stem}-vars.json"
        vars_file.write_text(json.dumps(variables, indent=2), encoding="utf-8")
        command = [str(playbook_executable()), "-i", "localhost,", target, "-e", f"@{vars_file}", *options]
        completed = subprocess.run(
            command,
            cwd=self.workdir,
            env=self.environment,
            capture_output=True,
            text=True,
            timeout=PLAYBOOK_TIMEOUT,
            check=False,
        )
        # Kept beside the variables for whoever investigates a failure (pytest --basetemp).
        (self.workdir / f"{stem}-stdout.json").write_text(completed.stdout, encoding="utf-8")
        (self.workdir / f"{stem}-stderr.txt").write_text(completed.stderr, encoding="utf-8")
        try:
            document = _parse_json_callback(playbook, completed.stdout)
        except (PlaybookError, ValueError) as error:
            raise PlaybookError(
                f"{playbook} exited with {completed.returncode} and no readable result ({error})\n"
                f"stdout:\n{completed.stdout[-4000:]}\nstderr:\n{completed.stderr[-4000:]}"
            ) from error
        run = PlaybookRun(playbook, completed.returncode, completed.stdout, completed.stderr, document, _task_runs(document))
        if expect_success and completed.returncode != 0:
            raise PlaybookError(f"{playbook} exited with {completed.returncode}\n{run.failure_report()}\nstderr:\n{completed.stderr[-4000:]}")
        return run

    def start(self, playbook: str, extra_vars: t.Mapping[str, t.Any] | None = None) -> subprocess.Popen[str]:
        """Start playbooks/<playbook> in its own process group and return at once (to be killed)."""
        path = PLAYBOOK_DIR / playbook
        vars_file = self.workdir / f"{path.stem}-started-vars.json"
        vars_file.write_text(json.dumps({"sim_endpoint": self.endpoint_url, **(extra_vars or {})}), encoding="utf-8")
        command = [str(playbook_executable()), "-i", "localhost,", str(path), "-e", f"@{vars_file}"]
        return subprocess.Popen(
            command, cwd=self.workdir, env=self.environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True, start_new_session=True
        )


def _playbook_target(playbook: str) -> tuple[str, str]:
    """What to give ansible-playbook, and the stem of the files kept beside the run."""
    if playbook.endswith((".yml", ".yaml")):
        path = PLAYBOOK_DIR / playbook
        return str(path), path.stem
    return playbook, playbook.rsplit(".", 1)[-1]


def true_states(control: t.Any) -> dict[str, str]:
    """Every WorkSpace's true current state, by id."""
    return {item["WorkspaceId"]: item["State"] for item in control.workspaces()}
