"""Benchmark: how max_concurrency changes the time to rebuild and to describe a fleet.

Runs the collection's engine against the in-process WorkSpaces simulator with an added
latency per call, standing in for the round trip to AWS. Timings are only compared with
each other within one run (ratios), never asserted on.

    PYTHONPATH=.cache/live-collections .venv/bin/python tests/benchmarks/rebuild_concurrency.py
"""

from __future__ import annotations

import argparse
import time
import typing as t

import boto3
from botocore.config import Config

from workspaces_simulator.server import SimulatorServer

from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import REBUILD
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import ActionOptions
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import run_action
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.api import WorkspacesApi
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.info import InfoOptions
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.info import describe_selected


def fleet(size: int, latency: float) -> dict[str, t.Any]:
    """A directory of size ERROR WorkSpaces with rebuild snapshots, with latency on the per-WorkSpace calls."""
    bench = {"name": "bench", "count": size, "state": "ERROR", "tags": {"team": "bench"}, "snapshots": {"rebuild": ["-10h"]}}
    return {
        "directories": [{"name": "bench.example.com", "fleets": [bench]}],
        "faults": {operation: {"latency": latency} for operation in ("RebuildWorkspaces", "DescribeTags", "DescribeWorkspaces")},
    }


def client(endpoint_url: str, pool: int) -> t.Any:
    return boto3.client(
        "workspaces",
        endpoint_url=endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
        config=Config(max_pool_connections=max(10, pool)),
    )


def time_rebuild(server: SimulatorServer, size: int, latency: float, concurrency: int) -> tuple[float, int]:
    server.control.reset()
    directory_id = server.control.load_scenario(fleet(size, latency))["directory_ids"][0]
    params = dict(workspace_ids=None, directory_id=directory_id, user_names=None, bundle_id=None, tags=None,
                  states=["ERROR"], max_workspaces=size, max_concurrency=concurrency,
                  wait=False, wait_timeout=60, wait_delay=1)
    started = time.perf_counter()
    report = run_action(WorkspacesApi(client(server.endpoint_url, concurrency)), REBUILD, ActionOptions.from_params(params, check_mode=False))
    elapsed = time.perf_counter() - started
    assert len([o for o in report.outcomes if o.requested]) == size
    return elapsed, server.control.calls()["accepted"].get("RebuildWorkspaces", 0)


def time_info_with_tags(server: SimulatorServer, size: int, latency: float, concurrency: int) -> tuple[float, int]:
    server.control.reset()
    server.control.load_scenario(fleet(size, latency))
    params = dict(workspace_ids=None, directory_id=None, user_names=None, bundle_id=None, tags={"team": "bench"},
                  states=None, include_tags=True, include_snapshots=False, include_connection_status=False,
                  max_concurrency=concurrency)
    started = time.perf_counter()
    found = describe_selected(WorkspacesApi(client(server.endpoint_url, concurrency)), InfoOptions.from_params(params)).workspaces
    elapsed = time.perf_counter() - started
    assert len(found) == size
    return elapsed, server.control.calls()["accepted"].get("DescribeTags", 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every call")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 5, 10, 20])
    args = parser.parse_args()

    with SimulatorServer(host="127.0.0.1", port=0) as server:
        print(f"{args.size} WorkSpaces, {args.latency * 1000:.0f} ms per call")
        for name, measure in (("rebuild", time_rebuild), ("info+tags", time_info_with_tags)):
            baseline = None
            for concurrency in args.concurrency:
                elapsed, calls = measure(server, args.size, args.latency, concurrency)
                baseline = baseline or elapsed
                speedup = baseline / elapsed
                print(f"{name:10} max_concurrency={concurrency:3}: {elapsed:6.2f} s, {calls} calls, {speedup:5.1f}x the speed of {args.concurrency[0]}")


if __name__ == "__main__":
    main()
