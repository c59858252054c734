"""Benchmark: the pace of workspace_rebuild on a fleet, against the WorkSpaces simulator.

Everything is measured in one run, against the simulator started in a process of its own
with a latency added to every call (a round trip to a real region), and only compared
with other figures of the same run: ratios, never pass/fail.

1. Throughput (--size WorkSpaces in ERROR, with rebuild snapshots):
   - the module at its default settings, in a real ansible-playbook run;
   - a plain sequential boto3 script (every page, then one RebuildWorkspaces call per
     WorkSpace), and the same script making the module's safety reads too (snapshots,
     connection status, a fresh state read), so that both ways of reading it are shown;
   - a loop: over one-id tasks (--loop-size of them, per WorkSpace, times the fleet);
   - the ideal: Ansible's start-up (the same playbook on an empty directory) plus every
     call the module made at the latency, the paged ones one after the other and the
     others max_concurrency at a time.
2. Throttled (--throttled-size WorkSpaces, RebuildWorkspaces throttled to --rate calls/s):
   the whole task against N/R, throttled answers per call, requests lost or made twice.
3. A wait poll round over --poll-size WorkSpaces: its DescribeWorkspaces calls and time,
   against one call's latency.
4. Peak memory of the module process at --memory-size WorkSpaces (check mode, no latency).

Run from the project root, after scripts/bootstrap:

    .venv/bin/python tests/benchmarks/fleet_throughput.py [--runs 3]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import typing as t
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COLLECTIONS = ROOT / ".cache" / "live-collections"
sys.path.insert(0, str(COLLECTIONS))

import boto3  # noqa: E402  (after the collections path, like the other benchmarks' PYTHONPATH)

from workspaces_simulator.control import SimulatorControl  # noqa: E402

# Credentials of the simulator: not words that occur in ids or names.
ACCESS_KEY = "AKIDBENCHMARKQZX"
SECRET_KEY = "benchmark-secret-qzx"
REGION = "us-east-1"

# The module's per-WorkSpace and batched calls that a run can make at once; the paged
# DescribeWorkspaces of a directory is one page after the other.
PAGE_SIZE = 25


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def simulator() -> t.Iterator[tuple[str, SimulatorControl]]:
    """The simulator in a process of its own: its CPU time is not the benchmark's."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "workspaces_simulator", "--port", str(port), "--log-level", "ERROR"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    control = SimulatorControl(url)
    try:
        for _attempt in range(200):
            with contextlib.suppress(OSError, Exception):
                if control.health():
                    break
            time.sleep(0.05)
        yield url, control
    finally:
        process.terminate()
        process.wait(timeout=10)


def fleet(control: SimulatorControl, size: int, faults: dict[str, t.Any]) -> tuple[str, list[str]]:
    """A directory of size ERROR WorkSpaces with rebuild snapshots; its id and the WorkSpace ids."""
    control.reset()
    bench = {"name": "bench", "count": size, "state": "ERROR", "snapshots": {"rebuild": ["-10h"]}}
    loaded = control.load_scenario({"directories": [{"name": "bench.example.com", "fleets": [bench]}], "faults": faults})
    directory_id = loaded["directory_ids"][0]
    ids = sorted(ws["WorkspaceId"] for ws in control.workspaces() if ws.get("DirectoryId") == directory_id)
    control.reset_calls()
    return directory_id, ids


def latency_faults(latency: float) -> dict[str, t.Any]:
    return {"*": {"latency": latency}} if latency else {}


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
        AWS_ACCESS_KEY_ID=ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY=SECRET_KEY,
        AWS_REGION=REGION,
        AWS_DEFAULT_REGION=REGION,
        ANSIBLE_STDOUT_CALLBACK="ansible.builtin.minimal",
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
    )
    env.pop("AWS_PROFILE", None)
    return env


PLAYBOOK = """\
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Rebuild
      euc.workspaces.workspace_rebuild:
        endpoint_url: "{{ url }}"
        {selector}
        states: [ERROR]
        max_workspaces: "{{ size }}"
        max_concurrency: "{{ concurrency | default(omit) }}"
{extra}
"""


def run_playbook(url: str, selector: str, size: int, extra: str = "", extravars: dict[str, t.Any] | None = None,
                 check: bool = False, interpreter: str | None = None) -> float:
    """Seconds one ansible-playbook process takes to run the rebuild task."""
    with tempfile.TemporaryDirectory() as workdir:
        playbook = Path(workdir, "bench.yml")
        playbook.write_text(PLAYBOOK.replace("{selector}", selector).replace("{extra}", textwrap.indent(extra, " " * 6)))
        variables = {"url": url, "size": max(size, 1), **CONCURRENCY, **(extravars or {})}
        if interpreter:
            variables["ansible_python_interpreter"] = interpreter
        command = [str(Path(sys.executable).with_name("ansible-playbook")), "-i", "localhost,", str(playbook),
                   "-e", json.dumps(variables)]
        if check:
            command.append("--check")
        started = time.perf_counter()
        done = subprocess.run(command, env=environment(), capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"ansible-playbook failed:\n{done.stdout}\n{done.stderr}")
    return elapsed


SEQUENTIAL_SCRIPT = """\
import sys, boto3
from botocore.config import Config
url, directory_id, careful = sys.argv[1], sys.argv[2], sys.argv[3] == "careful"
client = boto3.client("workspaces", endpoint_url=url, config=Config(retries={"mode": "standard"}))
broken = [ws["WorkspaceId"] for page in client.get_paginator("describe_workspaces").paginate(DirectoryId=directory_id)
          for ws in page["Workspaces"] if ws["State"] == "ERROR"]
if careful:
    for start in range(0, len(broken), 25):
        client.describe_workspaces_connection_status(WorkspaceIds=broken[start:start + 25])
    for workspace_id in broken:
        client.describe_workspace_snapshots(WorkspaceId=workspace_id)
    for start in range(0, len(broken), 25):
        client.describe_workspaces(WorkspaceIds=broken[start:start + 25])
for workspace_id in broken:
    client.rebuild_workspaces(RebuildWorkspaceRequests=[{"WorkspaceId": workspace_id}])
"""


def run_sequential(url: str, directory_id: str, careful: bool) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", SEQUENTIAL_SCRIPT, url, directory_id, "careful" if careful else "plain"],
                   env=environment(), check=True)
    return time.perf_counter() - started


def paged_calls(calls: dict[str, t.Any], size: int) -> int:
    """The DescribeWorkspaces pages of the directory: made one after the other."""
    return min(calls["by_operation"].get("DescribeWorkspaces", 0), -(-size // PAGE_SIZE) if size else 1)


def ideal(startup: float, calls: dict[str, t.Any], size: int, latency: float, concurrency: int) -> float:
    """Start-up, the directory's pages one by one, every other call concurrency at a time."""
    total = sum(calls["by_operation"].values())
    pages = paged_calls(calls, size)
    return startup + latency * (pages + -(-(total - pages) // concurrency))


# {"concurrency": N} when --max-concurrency sets the task's max_concurrency.
CONCURRENCY: dict[str, int] = {}


def default_concurrency() -> int:
    if CONCURRENCY:
        return CONCURRENCY["concurrency"]
    from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import REBUILD  # noqa: E402
    from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import action_argument_spec  # noqa: E402

    return int(action_argument_spec(REBUILD)["max_concurrency"]["default"])


def throughput(url: str, control: SimulatorControl, args: argparse.Namespace) -> None:
    size, latency, concurrency = args.size, args.latency, default_concurrency()
    figures: dict[str, list[float]] = {key: [] for key in ("module", "ideal", "plain", "careful", "loop", "startup")}
    calls_made = 0
    for _attempt in range(args.runs):
        empty, _ids = fleet(control, 0, latency_faults(latency))
        figures["startup"].append(run_playbook(url, f"directory_id: {empty}", 0) - latency)

        directory_id, _ids = fleet(control, size, latency_faults(latency))
        figures["module"].append(run_playbook(url, f"directory_id: {directory_id}", size))
        calls = control.calls()
        calls_made = sum(calls["by_operation"].values())
        assert calls["accepted"].get("RebuildWorkspaces", 0) == size, calls["accepted"]
        figures["ideal"].append(ideal(figures["startup"][-1], calls, size, latency, concurrency))

        for kind in ("plain", "careful"):
            directory_id, _ids = fleet(control, size, latency_faults(latency))
            figures[kind].append(run_sequential(url, directory_id, careful=kind == "careful"))

        _directory_id, ids = fleet(control, args.loop_size, latency_faults(latency))
        looped = run_playbook(url, 'workspace_ids: ["{{ item }}"]', 1, extra='loop: "{{ ids }}"', extravars={"ids": ids})
        figures["loop"].append(looped / args.loop_size * size)

    median = {key: statistics.median(values) for key, values in figures.items()}
    print(f"== throughput: {size} WorkSpaces, {latency * 1000:.0f} ms per call, max_concurrency {concurrency} (default), "
          f"median of {args.runs} runs")
    print(f"  ansible start-up          {median['startup']:7.2f} s")
    print(f"  module, default settings  {median['module']:7.2f} s  ({calls_made} calls)  {median['module'] / median['ideal']:5.2f} x the ideal")
    print(f"  ideal                     {median['ideal']:7.2f} s")
    print(f"  sequential boto3, plain   {median['plain']:7.2f} s  the module is {median['plain'] / median['module']:5.1f} x faster")
    print(f"  sequential boto3, careful {median['careful']:7.2f} s  the module is {median['careful'] / median['module']:5.1f} x faster")
    print(f"  loop: of one-id tasks     {median['loop']:7.2f} s  ({args.loop_size} timed, times {size}) "
          f"{median['loop'] / median['module']:5.0f} x slower than one task")
    print(f"  all runs: {json.dumps({key: [round(v, 2) for v in values] for key, values in figures.items()})}")


def throttled(url: str, control: SimulatorControl, args: argparse.Namespace) -> None:
    size, rate = args.throttled_size, args.rate
    faults = latency_faults(args.latency)
    faults["RebuildWorkspaces"] = {"throttle": {"rate": rate, "burst": rate}, "latency": args.latency}
    rows = []
    for _attempt in range(args.runs):
        directory_id, ids = fleet(control, size, faults)
        elapsed = run_playbook(url, f"directory_id: {directory_id}", size)
        calls = control.calls()
        rebuild_calls = calls["by_operation"].get("RebuildWorkspaces", 0)
        throttled_answers = calls["faults"].get("RebuildWorkspaces", {}).get("throttled", 0)
        # Lost: a WorkSpace whose rebuild never began; twice: one whose request AWS took more than once.
        started = calls["started_by_workspace"].get("RebuildWorkspaces", {})
        accepted = calls["accepted_by_workspace"].get("RebuildWorkspaces", {})
        lost = sum(1 for workspace_id in ids if started.get(workspace_id, 0) == 0)
        twice = sum(1 for workspace_id in ids if accepted.get(workspace_id, 0) > 1)
        every_call = sum(calls["by_operation"].values())
        rows.append((elapsed, throttled_answers / max(rebuild_calls, 1), throttled_answers / every_call, lost, twice))
    elapsed = statistics.median(row[0] for row in rows)
    print(f"== throttled: {size} WorkSpaces, RebuildWorkspaces at {rate} calls/s, {args.latency * 1000:.0f} ms per call, "
          f"median of {args.runs} runs")
    print(f"  whole task {elapsed:6.2f} s = {elapsed / (size / rate):4.2f} x N/R ({size / rate:.1f} s)")
    print(f"  throttled answers per RebuildWorkspaces call {statistics.median(r[1] for r in rows):5.3f}, "
          f"per call of any kind {statistics.median(r[2] for r in rows):5.3f}")
    print(f"  lost {max(r[3] for r in rows)}, asked twice {max(r[4] for r in rows)} (worst run)")
    print(f"  all runs: {json.dumps([[round(v, 3) for v in row] for row in rows])}")


def poll_round(url: str, control: SimulatorControl, args: argparse.Namespace) -> None:
    from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.api import WorkspacesApi  # noqa: E402
    from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.module_runner import client_config  # noqa: E402

    concurrency = default_concurrency()
    _directory_id, ids = fleet(control, args.poll_size, latency_faults(args.latency))
    client = boto3.client("workspaces", endpoint_url=url, region_name=REGION, aws_access_key_id=ACCESS_KEY,
                          aws_secret_access_key=SECRET_KEY, config=client_config(concurrency))
    api = WorkspacesApi(client, max_concurrency=concurrency)
    api.read_states(ids[:25])  # the connections are opened once per run, not per round
    times = []
    for _attempt in range(args.runs):
        control.reset_calls()
        started = time.perf_counter()
        states = api.read_states(ids)
        times.append(time.perf_counter() - started)
        assert len(states) == len(ids)
    calls = control.calls()["by_operation"].get("DescribeWorkspaces", 0)
    elapsed = statistics.median(times)
    print(f"== wait poll round: {args.poll_size} WorkSpaces, {args.latency * 1000:.0f} ms per call, median of {args.runs}")
    print(f"  {calls} DescribeWorkspaces calls, {elapsed:5.3f} s = {elapsed / args.latency:4.2f} x one call's latency")


MEMORY_WRAPPER = """\
import resource, subprocess, sys
done = subprocess.run([{python!r}, *sys.argv[1:]])
with open({out!r}, "w") as out:
    out.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(done.returncode)
"""


def memory(url: str, control: SimulatorControl, args: argparse.Namespace) -> None:
    """The module's Python process, run through a wrapper interpreter that reads its peak RSS."""
    directory_id, _ids = fleet(control, args.memory_size, {})
    with tempfile.TemporaryDirectory() as workdir:
        out = Path(workdir, "maxrss")
        wrapper = Path(workdir, "python")
        wrapper.write_text(f"#!{sys.executable}\n" + MEMORY_WRAPPER.format(python=sys.executable, out=str(out)))
        wrapper.chmod(0o755)
        elapsed = run_playbook(url, f"directory_id: {directory_id}", args.memory_size, check=True, interpreter=str(wrapper))
        peak_kib = int(out.read_text())
    print(f"== memory: {args.memory_size} WorkSpaces, check mode, no latency")
    print(f"  peak RSS of the module process {peak_kib / 1024:6.1f} MiB; the task took {elapsed:5.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each measure; medians are printed")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every call")
    parser.add_argument("--size", type=int, default=500)
    parser.add_argument("--loop-size", type=int, default=5, help="one-id tasks timed for the loop: figure")
    parser.add_argument("--throttled-size", type=int, default=500)
    parser.add_argument("--rate", type=float, default=20.0, help="RebuildWorkspaces calls a second the throttle lets through")
    parser.add_argument("--poll-size", type=int, default=1000)
    parser.add_argument("--memory-size", type=int, default=5000)
    parser.add_argument("--max-concurrency", type=int, help="the task's max_concurrency (default: the module's default)")
    parser.add_argument("--only", nargs="+", choices=["throughput", "throttled", "poll", "memory"],
                        default=["throughput", "throttled", "poll", "memory"])
    args = parser.parse_args()
    if args.max_concurrency:
        CONCURRENCY["concurrency"] = args.max_concurrency
    measures = {"throughput": throughput, "throttled": throttled, "poll": poll_round, "memory": memory}
    with simulator() as (url, control):
        for name in args.only:
            measures[name](url, control, args)


if __name__ == "__main__":
    main()
