"""Benchmark: what the euc.workspaces.workspaces inventory costs on a large fleet, in time and API calls.

Seeds the WorkSpaces simulator (in-process, on a free loopback port) with a fleet spread
over two regions, every WorkSpace tagged, and lists it with `ansible-inventory --list`,
the way an operator or AWX does, once with the default include_tags (one DescribeTags
call per WorkSpace) and once without. A latency added to every call stands for the round
trip to AWS. Times are compared with each other within one run, never asserted on.

    PYTHONPATH=.cache/live-collections .venv/bin/python tests/benchmarks/inventory_fleet.py
    PYTHONPATH=.cache/live-collections .venv/bin/python tests/benchmarks/inventory_fleet.py --size 5000 --latency 0.02
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time
import typing as t

from workspaces_simulator.server import SimulatorServer

REGIONS = ("us-east-1", "eu-west-1")
COLLECTIONS = pathlib.Path(__file__).resolve().parents[2] / ".cache" / "live-collections"
OPERATIONS = ("DescribeWorkspaces", "DescribeTags", "DescribeWorkspacesConnectionStatus")


def fleet(size: int, latency: float) -> dict[str, t.Any]:
    """size WorkSpaces, half in each region, in AVAILABLE and STOPPED, each with two tags."""
    per_region = size // len(REGIONS)
    return {
        "directories": [
            {
                "name": f"bench-{region}.example.com",
                "region": region,
                "fleets": [
                    {
                        "name": f"bench-{region}",
                        "count": per_region,
                        "states": {"AVAILABLE": per_region - per_region // 5, "STOPPED": per_region // 5},
                        "tags": {"Team": "bench", "CostCenter": "0042"},
                    }
                ],
            }
            for region in REGIONS
        ],
        "faults": {operation: {"latency": latency} for operation in OPERATIONS} if latency else {},
    }


def inventory_file(directory: pathlib.Path, endpoint_url: str, include_tags: bool) -> pathlib.Path:
    path = directory / f"{'tags' if include_tags else 'notags'}.workspaces.yml"
    path.write_text(
        json.dumps(
            {
                "plugin": "euc.workspaces.workspaces",
                "regions": list(REGIONS),
                "endpoint_url": endpoint_url,
                "include_tags": include_tags,
                "keyed_groups": [{"key": "state", "prefix": "state"}, {"key": "region", "prefix": "region"}],
            }
        )
    )
    return path


def list_inventory(server: SimulatorServer, path: pathlib.Path) -> tuple[float, int, dict[str, t.Any]]:
    """Seconds ansible-inventory --list took, the hosts it listed, and the calls the simulator received."""
    server.control.reset_calls()
    environment = dict(
        os.environ,
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
        ANSIBLE_INVENTORY_UNPARSED_FAILED="true",
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
        AWS_EC2_METADATA_DISABLED="true",
        # Nothing leaves this machine: any request that misses the endpoint meets a closed port.
        HTTPS_PROXY="http://127.0.0.1:9",
        HTTP_PROXY="http://127.0.0.1:9",
        NO_PROXY="127.0.0.1,localhost",
    )
    command = [str(pathlib.Path(sys.executable).with_name("ansible-inventory")), "-i", str(path), "--list"]
    started = time.perf_counter()
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    elapsed = time.perf_counter() - started
    hosts = len(json.loads(done.stdout)["_meta"]["hostvars"])
    return elapsed, hosts, server.control.calls()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=5000, help="WorkSpaces over the two regions")
    parser.add_argument("--latency", type=float, default=0.02, help="seconds added to every call")
    args = parser.parse_args()

    with SimulatorServer(host="127.0.0.1", port=0) as server, tempfile.TemporaryDirectory() as work:
        seeding = time.perf_counter()
        server.control.load_scenario(fleet(args.size, args.latency))
        print(f"seeded {args.size} WorkSpaces over {', '.join(REGIONS)} in {time.perf_counter() - seeding:.1f} s; "
              f"{args.latency * 1000:.0f} ms latency per call")
        print(f"{'include_tags':<14}{'seconds':>9}{'hosts':>7}  calls per region (" + ", ".join(OPERATIONS) + ")")
        results = {}
        for include_tags in (True, False):
            elapsed, hosts, calls = list_inventory(server, inventory_file(pathlib.Path(work), server.endpoint_url, include_tags))
            results[include_tags] = elapsed
            per_region = {
                region: [calls["by_region"].get(region, {}).get("by_operation", {}).get(operation, 0) for operation in OPERATIONS]
                for region in REGIONS
            }
            print(f"{str(include_tags).lower():<14}{elapsed:>9.1f}{hosts:>7}  {per_region}")
        print(f"include_tags: false lists the fleet in {results[False] / results[True]:.0%} of the time include_tags: true takes")


if __name__ == "__main__":
    main()
