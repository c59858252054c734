"""Fixtures for the integration tests: a WorkSpaces simulator and real ansible-playbook runs.

Every test seeds the simulator through its control API, then runs one playbook from
``playbooks/`` in a separate ``ansible-playbook`` process (the one installed next to
the Python running pytest) and reads every task's result from the
``ansible.posix.json`` stdout callback. The playbooks assert on what the modules
return; the tests assert on what the simulator saw (its counted API calls and the
WorkSpaces' true states). The simulator's fixtures (``simulator_server`` for the
session, ``simulator`` reset for each test) come from the pytest plugin of the
workspaces-simulator package (tools/workspaces-simulator), which scripts/bootstrap
installs.

The process is sealed off from the machine's own configuration: no ansible.cfg, no
AWS profile, config or credentials file, no instance metadata, and every proxy
variable pointing at a closed loopback port, so that a request meant for the
simulator that went anywhere else would fail instead of leaving the machine.
"""

from __future__ import annotations

import os
import sys
import typing as t
from pathlib import Path

import pytest

from .helpers import COLLECTION_ROOT
from .helpers import AnsibleRunner
from .helpers import playbook_executable

# Environment variables of the calling shell that could change what the playbook
# process does (its configuration, the AWS account, the route of its requests).
_SCRUBBED_PREFIXES = ("ANSIBLE_", "AWS_", "BOTO_", "EC2_")
_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "ftp_proxy")

# A loopback port nothing listens on (the discard port): a request sent to a proxy
# fails at once and stays on this machine.
_DEAD_PROXY = "http://127.0.0.1:9"


@pytest.fixture(scope="session")
def ansible_environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of every ansible-playbook process: this collection, the simulator, nothing else."""
    base = tmp_path_factory.mktemp("ansible")
    collections = base / "collections"
    link = collections / "ansible_collections" / "euc" / "workspaces"
    link.parent.mkdir(parents=True)
    # The live sources under the collection's name; amazon.aws and ansible.posix come
    # from the ansible package installed beside the running Python.
    link.symlink_to(COLLECTION_ROOT, target_is_directory=True)
    home = base / "home"
    home.mkdir()
    empty = base / "empty.cfg"
    empty.write_text("", encoding="utf-8")

    environment = {key: value for key, value in os.environ.items() if not key.upper().startswith(_SCRUBBED_PREFIXES) and key.lower() not in _PROXY_VARIABLES}
    environment.update(
        HOME=str(home),
        # Ansible: only this collection, no ansible.cfg, results as one JSON document.
        ANSIBLE_CONFIG=str(empty),
        ANSIBLE_HOME=str(home / ".ansible"),
        ANSIBLE_LOCAL_TEMP=str(home / ".ansible" / "tmp"),
        ANSIBLE_COLLECTIONS_PATH=str(collections),
        ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_RETRY_FILES_ENABLED="0",
        ANSIBLE_LOCALHOST_WARNING="0",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
        # botocore gives timestamps in local time: make them UTC, so results are predictable.
        TZ="UTC",
        # AWS: dummy credentials, and no profile, config or credentials file to fall back on.
        AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE",
        AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=str(empty),
        AWS_SHARED_CREDENTIALS_FILE=str(empty),
        AWS_EC2_METADATA_DISABLED="true",
        # Anything not addressed to the simulator goes to a closed local port.
        HTTP_PROXY=_DEAD_PROXY,
        HTTPS_PROXY=_DEAD_PROXY,
        http_proxy=_DEAD_PROXY,
        https_proxy=_DEAD_PROXY,
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
    )
    return environment


@pytest.fixture
def ansible(
    simulator: t.Any,
    ansible_environment: dict[str, str],
    tmp_path: Path,
) -> AnsibleRunner:
    """Runs playbooks against the simulator, which this fixture has just reset."""
    if not playbook_executable().exists():
        pytest.fail(f"ansible-playbook is not installed beside {sys.executable}")
    return AnsibleRunner(ansible_environment, tmp_path, simulator.endpoint_url)


@pytest.fixture
def control(simulator: t.Any) -> t.Any:
    """The reset simulator's control API client."""
    return simulator.control
