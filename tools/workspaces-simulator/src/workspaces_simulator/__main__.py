"""Command line: run the WorkSpaces simulator in the foreground.

    python -m workspaces_simulator --port 4566 --scenario demo
    workspaces-simulator --port 0 --scenario my-fleet.yml

Listens on a loopback address only, prints one line saying where, and stops
cleanly on SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections import Counter
from types import FrameType

from .backend import DEFAULT_REGION
from .scenario import ScenarioError, builtin_scenarios, check_region, load_scenario_source
from .server import SimulatorServer, is_loopback

LOG = logging.getLogger("workspaces_simulator")


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    # Python 3.11's argparse names `python -m` programs __main__.py.
    as_module = sys.argv[0].endswith("__main__.py")
    parser = argparse.ArgumentParser(
        prog="python -m workspaces_simulator" if as_module else None,
        description="Local Amazon WorkSpaces simulator (moto based).",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=int, default=4566, help="port to bind; 0 picks a free one (default 4566)"
    )
    parser.add_argument(
        "--scenario",
        help="scenario to load at start: a YAML file, or the name of a built-in scenario"
        f" ({', '.join(builtin_scenarios())})",
    )
    parser.add_argument(
        "--region",
        default=DEFAULT_REGION,
        help="default region: the one of requests and scenarios that name none"
        f" (default {DEFAULT_REGION})",
    )
    parser.add_argument(
        "--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"]
    )
    args = parser.parse_args(argv)
    if not is_loopback(args.host):
        parser.error(
            f"--host must be a loopback address (127.0.0.1, ::1, localhost), not {args.host}"
        )
    if not 0 <= args.port <= 65535:
        parser.error("--port must be between 0 and 65535")
    try:
        check_region(args.region, "--region")
    except ScenarioError as exc:
        parser.error(str(exc))
    return args


def main(argv: list[str] | None = None) -> int:
    """Run until SIGINT/SIGTERM; returns the exit status."""
    args = _parse_args(argv)
    logging.basicConfig(
        level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    server = SimulatorServer(host=args.host, port=args.port, region=args.region)
    if args.scenario:
        try:
            scenario, source = load_scenario_source(args.scenario)
            loaded = server.simulator.load_scenario(scenario)
        except (OSError, ScenarioError) as exc:
            LOG.error("cannot load scenario %s: %s", args.scenario, exc)
            return 2
        per_region = Counter(loaded["regions"].values())
        LOG.info(
            "loaded %d WorkSpaces from %s (%s)",
            len(loaded["workspace_ids"]),
            source,
            ", ".join(f"{region}: {count}" for region, count in per_region.items()) or "none",
        )
    LOG.info("default region %s", args.region)
    stop = threading.Event()

    def _stop(signum: int, _frame: FrameType | None) -> None:
        LOG.info("received %s, stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    server.start()
    # A plain print so scripts can read the endpoint even when logging is quiet.
    print(f"WorkSpaces simulator listening on {server.endpoint_url}", flush=True)
    while not stop.wait(0.5):
        pass
    server.stop()
    LOG.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
