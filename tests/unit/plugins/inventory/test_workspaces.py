# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The inventory plugin's hosts, groups and variables, its cache, and what it never templates.

The plugin runs on fake clients, one per region; its options are set as Ansible would
set them from a configuration file (the end-to-end path through ansible-inventory is
the integration target inventory_workspaces).
"""

from __future__ import annotations

import json
import typing as t

import pytest

from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

try:
    from ansible.template import trust_as_template
except ImportError:  # before ansible-core 2.19, every template is trusted

    def trust_as_template(value: t.Any) -> t.Any:
        return value


from ansible_collections.euc.workspaces.plugins.inventory.workspaces import InventoryModule
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.inventory import InventoryOptions

from ...helpers.fake_workspaces import OTHER_DIRECTORY
from ...helpers.fake_workspaces import FakeWorkspacesClient
from ...helpers.fake_workspaces import workspace
from ...helpers.inventory_options import PLUGIN_OPTION_DEFAULTS

EAST = "us-east-1"
WEST = "eu-west-1"
EAST_WS = ("ws-east00001", "ws-east00002")
WEST_WS = ("ws-west00001",)
PATH = "/inventories/desktops.workspaces.yml"

DEFAULTS: dict[str, t.Any] = {
    **PLUGIN_OPTION_DEFAULTS,
    "regions": [EAST, WEST],
    "max_concurrency": 2,
    # constructed and inventory_cache
    "compose": {},
    "groups": {},
    "keyed_groups": [],
    "strict": False,
    "use_extra_vars": False,
    "leading_separator": True,
    "cache": False,
    "cache_plugin": "memory",
    "cache_timeout": 3600,
    "cache_connection": None,
    "cache_prefix": "ansible_inventory_",
    # amazon.aws's connection options
    "profile": None,
    "access_key": None,
    "assume_role_arn": None,
    "endpoint_url": None,
}


@pytest.fixture
def fakes() -> dict[str, FakeWorkspacesClient]:
    east = FakeWorkspacesClient(
        [
            workspace(EAST_WS[0], "AVAILABLE", user_name="alice", computer_name="WSAMZN-ALICE"),
            workspace(EAST_WS[1], "STOPPED", user_name="bob", computer_name="WSAMZN-BOB"),
        ]
    )
    east.tags = {EAST_WS[0]: {"Team": "finance", "Note": "{{ lookup('pipe', 'id') }}"}}
    west = FakeWorkspacesClient([workspace(WEST_WS[0], "AVAILABLE", directory_id=OTHER_DIRECTORY, user_name="alice")])
    return {EAST: east, WEST: west}


def make_plugin(fakes: dict[str, FakeWorkspacesClient], **given: t.Any) -> InventoryModule:
    plugin = InventoryModule()
    plugin.inventory = InventoryData()
    plugin.templar = Templar(loader=DataLoader())
    # Ansible trusts the templates of the configuration file (compose, groups, keyed_groups).
    plugin._options = dict(DEFAULTS, **trusted(given))  # pylint: disable=protected-access
    plugin.client = lambda service, region, config: fakes[region]  # type: ignore[method-assign]
    return plugin


def trusted(value: t.Any) -> t.Any:
    """The value with its strings trusted as templates, as from the configuration file."""
    if isinstance(value, str):
        return trust_as_template(value)
    if isinstance(value, dict):
        return {key: trusted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [trusted(item) for item in value]
    return value


def build(plugin: InventoryModule) -> None:
    """What parse does once the configuration is read."""
    options = InventoryOptions.from_options(plugin.get_option, None)
    options.validate()
    plugin._populate(plugin._records(PATH, True, options), options)  # pylint: disable=protected-access


def host_vars(plugin: InventoryModule, name: str) -> dict[str, t.Any]:
    return plugin.inventory.get_host(name).get_vars()


def group_hosts(plugin: InventoryModule, group: str) -> list[str]:
    return sorted(host.name for host in plugin.inventory.groups[group].get_hosts())


def test_two_regions_make_one_inventory(fakes: dict[str, FakeWorkspacesClient]) -> None:
    plugin = make_plugin(fakes, keyed_groups=[{"key": "region", "prefix": "region"}, {"key": "state", "prefix": "state"}])
    build(plugin)
    assert group_hosts(plugin, "workspaces") == sorted(EAST_WS + WEST_WS)
    assert group_hosts(plugin, "region_us_east_1") == sorted(EAST_WS)
    assert group_hosts(plugin, "region_eu_west_1") == list(WEST_WS)
    assert group_hosts(plugin, "state_STOPPED") == [EAST_WS[1]]
    alice = host_vars(plugin, EAST_WS[0])
    assert alice["region"] == EAST and alice["user_name"] == "alice" and alice["workspaces_tags"]["Team"] == "finance"
    assert [call.operation for call in fakes[WEST].calls] == ["DescribeWorkspaces", "DescribeTags"]


def test_a_user_name_in_two_regions_names_neither_host(fakes: dict[str, FakeWorkspacesClient], monkeypatch: pytest.MonkeyPatch) -> None:
    warnings: list[str] = []
    plugin = make_plugin(fakes, hostnames=["user_name"])
    monkeypatch.setattr(plugin, "warn", warnings.append)
    build(plugin)
    assert group_hosts(plugin, "workspaces") == sorted([EAST_WS[0], WEST_WS[0], "bob"])
    assert len(warnings) == 1 and "'alice'" in warnings[0]


def test_compose_and_groups_see_the_host_variables(fakes: dict[str, FakeWorkspacesClient]) -> None:
    plugin = make_plugin(
        fakes,
        compose={"ansible_host": "ip_address", "kerberos_name": "computer_name ~ '.corp.example.com'"},
        groups={"answering": "state == 'AVAILABLE'"},
        hostnames=["computer_name"],
    )
    build(plugin)
    alice = host_vars(plugin, "WSAMZN-ALICE")
    assert alice["ansible_host"] == alice["ip_address"]
    assert alice["kerberos_name"] == "WSAMZN-ALICE.corp.example.com"
    assert group_hosts(plugin, "answering") == ["WSAMZN-ALICE", "WSAMZN-T00001"]


def test_a_tag_value_is_never_templated(fakes: dict[str, FakeWorkspacesClient]) -> None:
    plugin = make_plugin(fakes, compose={"note": "workspaces_tags.Note"})
    build(plugin)
    templar = Templar(loader=DataLoader(), variables=host_vars(plugin, EAST_WS[0]))
    assert templar.template(trusted("{{ note }}")) == "{{ lookup('pipe', 'id') }}"
    assert templar.template(trusted("{{ workspaces_tags.Note }}")) == "{{ lookup('pipe', 'id') }}"


def test_prefix_and_suffix_name_the_aws_variables_only(fakes: dict[str, FakeWorkspacesClient]) -> None:
    plugin = make_plugin(fakes, hostvars_prefix="aws_", hostvars_suffix="_ws", compose={"ansible_host": "aws_ip_address_ws"})
    build(plugin)
    alice = host_vars(plugin, EAST_WS[0])
    assert alice["aws_state_ws"] == "AVAILABLE" and "state" not in alice
    assert alice["ansible_host"] == alice["aws_ip_address_ws"]


def test_the_cache_is_reused_for_the_same_query_only(fakes: dict[str, FakeWorkspacesClient]) -> None:
    cache: dict[str, t.Any] = {}
    first = make_plugin(fakes, cache=True)
    first._cache = cache  # pylint: disable=protected-access
    build(first)
    calls = sum(len(fake.calls) for fake in fakes.values())

    again = make_plugin(fakes, cache=True, hostnames=["computer_name", "workspace_id"])
    again._cache = cache  # pylint: disable=protected-access
    build(again)
    assert sum(len(fake.calls) for fake in fakes.values()) == calls  # not one call
    assert "WSAMZN-ALICE" in group_hosts(again, "workspaces")  # named anew from the cached hosts

    narrower = make_plugin(fakes, cache=True, states=["STOPPED"])
    narrower._cache = cache  # pylint: disable=protected-access
    build(narrower)
    assert sum(len(fake.calls) for fake in fakes.values()) > calls
    assert group_hosts(narrower, "workspaces") == [EAST_WS[1]]
    assert next(iter(cache.values()))["query"]["states"] == ["STOPPED"]  # the new listing replaced the old


def test_the_cache_of_one_account_is_not_given_to_another(fakes: dict[str, FakeWorkspacesClient]) -> None:
    cache: dict[str, t.Any] = {}
    for profile in ("prod", "prod", "staging"):
        plugin = make_plugin(fakes, cache=True, profile=profile)
        plugin._cache = cache  # pylint: disable=protected-access
        build(plugin)
    assert len(fakes[EAST].calls_of("DescribeWorkspaces")) == 2  # prod listed once, staging once
    assert "prod" not in json.dumps(cache) and "staging" not in json.dumps(cache)
