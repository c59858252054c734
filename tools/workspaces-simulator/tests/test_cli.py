"""The ``python -m workspaces_simulator`` command line, run as a subprocess."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from workspaces_simulator.control import SimulatorControl

LISTENING = re.compile(r"listening on (http://127\.0\.0\.1:(\d+))")


def start_cli(*args: str, cwd: Path | None = None) -> subprocess.Popen[str]:
    """Start the simulator command with the Python running the tests."""
    return subprocess.Popen(  # pylint: disable=consider-using-with
        [sys.executable, "-m", "workspaces_simulator", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def cli() -> Iterator[tuple[subprocess.Popen[str], str]]:
    """The simulator command on a free port with the built-in demo scenario; yields (process, url)."""
    process = start_cli("--port", "0", "--scenario", "demo")
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = LISTENING.search(line)
        assert match, f"unexpected first line {line!r}"
        assert int(match.group(2)) > 0
        yield process, match.group(1)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_cli_serves_and_stops_cleanly(
    cli: tuple[subprocess.Popen[str], str], stop_signal: signal.Signals
) -> None:
    """The command serves the scenario over AWS and control APIs and exits 0 on a signal."""
    process, url = cli
    control = SimulatorControl(url)
    assert control.health()
    assert len(control.workspaces()) == 12
    client = boto3.session.Session().client(
        "workspaces",
        region_name="us-east-1",
        endpoint_url=url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    assert len(client.describe_workspaces()["Workspaces"]) == 12
    process.send_signal(stop_signal)
    assert process.wait(timeout=10) == 0
    assert process.stderr is not None
    log = process.stderr.read()
    assert "loaded 12 WorkSpaces from built-in scenario demo" in log
    assert "stopping" in log


def test_cli_refuses_non_loopback_host() -> None:
    """Only loopback addresses may be bound."""
    process = start_cli("--host", "0.0.0.0", "--port", "0")
    stderr = process.communicate(timeout=30)[1]
    assert process.returncode == 2
    assert "loopback" in stderr


def test_cli_reports_a_bad_scenario(tmp_path: Path) -> None:
    """A broken scenario file stops the command with status 2 and a message."""
    broken = tmp_path / "broken.yml"
    broken.write_text("directories:\n  - name: x.example.com\n    fleets: [{name: f}]\n")
    process = start_cli("--port", "0", "--scenario", str(broken))
    stderr = process.communicate(timeout=30)[1]
    assert process.returncode == 2
    assert "needs count" in stderr


def test_cli_loads_a_scenario_file(tmp_path: Path) -> None:
    """A path names a scenario file; one in the working directory wins over a built-in name."""
    scenario = "directories:\n  - name: file.example.com\n    fleets: [{name: f, count: 2}]\n"
    (tmp_path / "demo").write_text(scenario)
    process = start_cli("--port", "0", "--scenario", "demo", cwd=tmp_path)
    try:
        assert process.stdout is not None
        match = LISTENING.search(process.stdout.readline())
        assert match
        assert len(SimulatorControl(match.group(1)).workspaces()) == 2
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
        stderr = process.communicate(timeout=10)[1]
    assert "loaded 2 WorkSpaces from demo" in stderr


def test_cli_reports_an_unknown_scenario() -> None:
    """A name that is neither a file nor a built-in scenario stops with status 2, listing them."""
    process = start_cli("--port", "0", "--scenario", "no-such-fleet")
    stderr = process.communicate(timeout=30)[1]
    assert process.returncode == 2
    assert (
        "no-such-fleet: no such file, nor a built-in scenario (built-in: demo, fleet-500, recovery)" in stderr
    )
