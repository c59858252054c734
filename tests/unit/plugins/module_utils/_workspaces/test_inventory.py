# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The inventory's hosts: which WorkSpaces, named how, with which variables, for which calls."""

from __future__ import annotations

import typing as t

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.api import WorkspacesApi
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.common import InvalidOptionError
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.inventory import DEFAULT_STATES
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.inventory import InventoryOptions
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.inventory import RegionFailed
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.inventory import host_record
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.inventory import list_region
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.inventory import name_hosts

from ....helpers.fake_workspaces import BUNDLE
from ....helpers.fake_workspaces import DIRECTORY
from ....helpers.fake_workspaces import OTHER_BUNDLE
from ....helpers.fake_workspaces import OTHER_DIRECTORY
from ....helpers.fake_workspaces import FakeWorkspacesClient
from ....helpers.fake_workspaces import access_denied
from ....helpers.fake_workspaces import throttled
from ....helpers.fake_workspaces import workspace
from ....helpers.fake_workspaces import ws_id
from ....helpers.inventory_options import PLUGIN_OPTION_DEFAULTS

ALICE = "ws-alice0001"
BOB = "ws-bob00001"
CAROL = "ws-carol0001"
DAVE = "ws-dave00001"
GONE = "ws-gone00001"
REGION = "eu-west-1"

OPTION_DEFAULTS: dict[str, t.Any] = dict(PLUGIN_OPTION_DEFAULTS, regions=[REGION], max_concurrency=1)


def options(default_region: str | None = None, **given: t.Any) -> InventoryOptions:
    """InventoryOptions as the plugin reads them, from its documented defaults and the options given."""
    values = dict(OPTION_DEFAULTS, **given)
    return InventoryOptions.from_options(values.__getitem__, default_region)


@pytest.fixture
def fake() -> FakeWorkspacesClient:
    client = FakeWorkspacesClient(
        [
            workspace(CAROL, "AVAILABLE", directory_id=OTHER_DIRECTORY, user_name="carol", bundle_id=BUNDLE),
            workspace(ALICE, "AVAILABLE", user_name="alice", bundle_id=BUNDLE),
            workspace(DAVE, "STOPPED", user_name="dave", bundle_id=OTHER_BUNDLE),
            workspace(BOB, "ERROR", user_name="bob", bundle_id=BUNDLE),
            workspace(GONE, "TERMINATING", user_name="gone", bundle_id=BUNDLE),
        ]
    )
    client.tags = {ALICE: {"team": "finance", "Name": "alice-desk"}, BOB: {"team": "finance", "Maintenance": "hold"}, CAROL: {"team": "hr"}}
    return client


def listed(fake: FakeWorkspacesClient, warnings: list[str] | None = None, **given: t.Any) -> list[dict[str, t.Any]]:
    return list_region(WorkspacesApi(fake), REGION, options(**given), (warnings if warnings is not None else []).append)


def hosts(records: t.Iterable[dict[str, t.Any]]) -> list[str]:
    return [record["vars"]["workspace_id"] for record in records]


# ---------------------------------------------------------------------------- options


def test_the_defaults_list_every_state_but_the_dying_ones_named_by_id() -> None:
    defaults = options()
    assert defaults.states == frozenset(DEFAULT_STATES)
    assert {"TERMINATING", "TERMINATED"}.isdisjoint(defaults.states) and "STOPPED" in defaults.states
    assert defaults.hostnames == ("workspace_id",)
    assert defaults.reads_tags  # include_tags is on by default


def test_without_regions_the_configured_region_is_the_one_region() -> None:
    assert options("ap-southeast-2", regions=[]).regions == ("ap-southeast-2",)
    assert options("ap-southeast-2", regions=["us-east-1", "us-east-1", "eu-west-1"]).regions == ("us-east-1", "eu-west-1")
    # A template giving a list is a list within the list before ansible-core 2.19.
    assert options(regions=[["us-east-1", "eu-west-1"]]).regions == ("us-east-1", "eu-west-1")
    assert options(directory_ids=[[DIRECTORY]]).selectors.directory_ids == (DIRECTORY,)
    with pytest.raises(InvalidOptionError, match="no region: set regions, or region"):
        options(None, regions=[]).validate()


@pytest.mark.parametrize(
    ("given", "message"),
    [
        pytest.param({"regions": ["us_east_1"]}, "malformed regions 'us_east_1' (a region looks like us-east-1)", id="malformed-region"),
        pytest.param({"regions": ["US-EAST-1"]}, "malformed regions 'US-EAST-1'", id="upper-case-region"),
        pytest.param({"regions": ["us-eats-1"]}, "WorkSpaces is not offered in 'us-eats-1' as far as this botocore knows", id="unknown-region"),
        pytest.param({"directory_ids": ["corp.example.com"]}, "malformed directory_ids: 'corp.example.com'", id="directory"),
        pytest.param({"bundle_ids": [DIRECTORY]}, f"malformed bundle_ids: '{DIRECTORY}'", id="bundle"),
        pytest.param({"states": []}, "states must name at least one state", id="no-states"),
        pytest.param({"states": ["RUNNING"]}, "unknown states 'RUNNING'", id="unknown-state"),
        pytest.param({"hostnames": ["dns-name"]}, "unknown hostnames 'dns-name' (choose from workspace_id, computer_name", id="ec2-hostname"),
        pytest.param({"hostnames": ["tag:"]}, "unknown hostnames 'tag:'", id="tag-without-key"),
        pytest.param({"exclude_tags": {"hold": True}}, "exclude_tags values must be strings", id="boolean-tag-value"),
        pytest.param({"max_concurrency": 0}, "max_concurrency must be at least 1", id="concurrency"),
    ],
)
def test_bad_options_are_refused_before_any_call(given: dict[str, t.Any], message: str) -> None:
    with pytest.raises(InvalidOptionError) as raised:
        options(**given).validate(known_regions={"us-east-1", "eu-west-1"})
    assert message in str(raised.value)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(InvalidOptionError) as raised:
        options(regions=["eu_west_1"], directory_ids=["d-bad"], hostnames=["name"]).validate()
    assert str(raised.value).count(";") == 2


def test_a_region_botocore_does_not_know_is_left_to_a_custom_endpoint() -> None:
    options(regions=["xx-moonbase-1"]).validate(known_regions=None)


def test_a_cached_listing_is_reused_only_for_the_same_query() -> None:
    assert options().query() == options().query()
    assert options().query() != options(states=["AVAILABLE"]).query()
    assert options().query() != options(exclude_tags={"Maintenance": "hold"}).query()
    assert options().query() != options(include_tags=False).query()
    # Naming and grouping are applied to cached hosts: they do not make a new listing.
    assert options().query() == options(hostnames=["computer_name"]).query()


# ---------------------------------------------------------------------------- selection and calls


def test_hosts_carry_the_snake_cased_fields_the_region_and_the_tags(fake: FakeWorkspacesClient) -> None:
    records = listed(fake)
    assert hosts(records) == [ALICE, BOB, CAROL, DAVE]  # sorted; the TERMINATING one left out
    alice = records[0]["vars"]
    assert alice["workspace_id"] == ALICE and alice["user_name"] == "alice" and alice["directory_id"] == DIRECTORY
    assert alice["computer_name"] and alice["ip_address"] and alice["bundle_id"] == BUNDLE and alice["state"] == "AVAILABLE"
    assert alice["workspace_properties"]["running_mode"] == "AUTO_STOP"
    assert alice["workspace_properties"]["compute_type_name"] == "STANDARD"
    assert alice["region"] == REGION
    assert alice["workspaces_tags"] == {"team": "finance", "Name": "alice-desk"}
    assert records[3]["vars"]["workspaces_tags"] == {}  # DAVE has none: still a dict
    assert "Tags" not in alice and "tags" not in alice


def test_without_include_tags_nothing_that_needs_tags_reads_none(fake: FakeWorkspacesClient) -> None:
    records = listed(fake, include_tags=False, include_connection_status=True)
    assert fake.operations == ["DescribeWorkspaces", "DescribeWorkspacesConnectionStatus"]
    assert all("workspaces_tags" not in record["vars"] for record in records)


def test_tags_are_read_only_for_the_workspaces_in_the_states_asked_for(fake: FakeWorkspacesClient) -> None:
    records = listed(fake, states=["AVAILABLE"])
    assert hosts(records) == [ALICE, CAROL]
    assert sorted(params["ResourceId"] for params in fake.calls_of("DescribeTags")) == [ALICE, CAROL]


@pytest.mark.parametrize(
    ("given", "expected", "describe_calls"),
    [
        pytest.param(
            {"directory_ids": [DIRECTORY, OTHER_DIRECTORY]},
            [ALICE, BOB, CAROL, DAVE],
            [{"DirectoryId": DIRECTORY}, {"DirectoryId": OTHER_DIRECTORY}],
            id="directories",
        ),
        pytest.param({"directory_ids": [OTHER_DIRECTORY]}, [CAROL], [{"DirectoryId": OTHER_DIRECTORY}], id="one-directory"),
        pytest.param({"bundle_ids": [OTHER_BUNDLE]}, [DAVE], [{"BundleId": OTHER_BUNDLE}], id="bundle"),
        pytest.param({"directory_ids": [DIRECTORY], "bundle_ids": [BUNDLE]}, [ALICE, BOB], [{"DirectoryId": DIRECTORY}], id="directory-and-bundle"),
        pytest.param({}, [ALICE, BOB, CAROL, DAVE], [{}], id="everything"),
    ],
)
def test_directories_and_bundles_are_one_pass_each(
    fake: FakeWorkspacesClient, given: dict[str, t.Any], expected: list[str], describe_calls: list[dict[str, str]]
) -> None:
    assert hosts(listed(fake, include_tags=False, **given)) == expected
    assert fake.calls_of("DescribeWorkspaces") == describe_calls


def test_tags_and_exclude_tags_share_one_read_per_workspace(fake: FakeWorkspacesClient) -> None:
    records = listed(fake, tags={"team": "finance"}, exclude_tags={"Maintenance": "hold"})
    assert hosts(records) == [ALICE]
    assert sorted(params["ResourceId"] for params in fake.calls_of("DescribeTags")) == [ALICE, BOB, CAROL, DAVE]


def test_tags_read_only_to_select_are_not_host_variables(fake: FakeWorkspacesClient) -> None:
    records = listed(fake, include_tags=False, exclude_tags={"Maintenance": "hold"})
    assert hosts(records) == [ALICE, CAROL, DAVE]
    assert all("workspaces_tags" not in record["vars"] for record in records)
    assert records[0]["tags"] == {"team": "finance", "Name": "alice-desk"}  # kept for tag: hostnames


def test_connection_status_is_read_25_workspaces_a_call() -> None:
    fake = FakeWorkspacesClient([workspace(ws_id(number)) for number in range(60)])
    fake.set_connection_state(ws_id(7), "CONNECTED")
    records = listed(fake, include_tags=False, include_connection_status=True)
    assert [len(params["WorkspaceIds"]) for params in fake.calls_of("DescribeWorkspacesConnectionStatus")] == [25, 25, 10]
    states = {record["vars"]["workspace_id"]: record["vars"]["connection_state"] for record in records}
    assert states[ws_id(7)] == "CONNECTED" and states[ws_id(8)] == "UNKNOWN"
    assert "last_known_user_connection_timestamp" in records[0]["vars"]


def test_throttled_tag_reads_are_retried_until_every_host_has_its_tags(fake: FakeWorkspacesClient) -> None:
    fake.errors["DescribeTags"] = [throttled("DescribeTags")] * 5
    records = listed(fake)
    assert all("workspaces_tags" in record["vars"] for record in records)
    assert len(fake.calls_of("DescribeTags")) == 4 + 5


def test_timestamps_are_strings_the_cache_can_keep() -> None:
    entry = dict(workspace(ALICE), ConnectionStateCheckTimestamp=__import__("datetime").datetime(2026, 1, 2, 3, 4, 5))
    record = host_record(entry, REGION, with_tags_hostvar=False)
    assert record["vars"]["connection_state_check_timestamp"] == "2026-01-02T03:04:05"


# ---------------------------------------------------------------------------- permissions


def test_a_region_the_caller_may_not_list_fails_the_inventory_by_default(fake: FakeWorkspacesClient) -> None:
    fake.errors["DescribeWorkspaces"] = [access_denied("DescribeWorkspaces")]
    with pytest.raises(RegionFailed) as raised:
        listed(fake)
    assert raised.value.region == REGION
    assert "AccessDeniedException" in str(raised.value.error)


def test_without_strict_permissions_a_region_that_may_not_be_listed_is_left_out_with_a_warning(fake: FakeWorkspacesClient) -> None:
    fake.errors["DescribeWorkspaces"] = [access_denied("DescribeWorkspaces")]
    warnings: list[str] = []
    assert listed(fake, warnings, strict_permissions=False) == []
    assert warnings == [f"{REGION} is left out of the inventory: the caller may not list its WorkSpaces ({warnings[0].split('(', 1)[1]}"]
    assert "AccessDeniedException" in warnings[0]


def test_without_strict_permissions_tags_that_may_not_be_read_are_left_out_of_the_hosts(fake: FakeWorkspacesClient) -> None:
    fake.errors["DescribeTags"] = [access_denied("DescribeTags")] * 4
    warnings: list[str] = []
    records = listed(fake, warnings, strict_permissions=False)
    assert hosts(records) == [ALICE, BOB, CAROL, DAVE]
    assert all("workspaces_tags" not in record["vars"] for record in records)
    assert len(warnings) == 1 and "without workspaces_tags" in warnings[0]


def test_tags_a_selector_needs_fail_the_inventory_whatever_strict_permissions_says(fake: FakeWorkspacesClient) -> None:
    fake.errors["DescribeTags"] = [access_denied("DescribeTags")] * 4
    with pytest.raises(RegionFailed):
        listed(fake, strict_permissions=False, exclude_tags={"Maintenance": "hold"})


def test_without_strict_permissions_a_connection_status_refused_is_left_out(fake: FakeWorkspacesClient) -> None:
    fake.errors["DescribeWorkspacesConnectionStatus"] = [access_denied("DescribeWorkspacesConnectionStatus")]
    warnings: list[str] = []
    records = listed(fake, warnings, strict_permissions=False, include_connection_status=True)
    assert len(records) == 4 and all("connection_state" not in record["vars"] for record in records)
    assert "without connection_state" in warnings[0]


# ---------------------------------------------------------------------------- names


def record(workspace_id: str, tags: dict[str, str] | None = None, **fields: t.Any) -> dict[str, t.Any]:
    return {"vars": dict({"workspace_id": workspace_id}, **fields), "tags": tags}


def names(records: list[dict[str, t.Any]], hostnames: list[str], warnings: list[str] | None = None) -> list[str]:
    return [name for name, _record in name_hosts(records, hostnames, (warnings if warnings is not None else []).append)]


def test_the_first_hostname_a_workspace_has_a_value_for_names_it() -> None:
    records = [
        record(ALICE, {"Name": "alice-desk"}, computer_name="WSAMZN-A", ip_address="10.0.0.1"),
        record(BOB, {}, computer_name="WSAMZN-B", ip_address="10.0.0.2"),
        record(CAROL, None, ip_address="10.0.0.3"),
        record(DAVE, None),  # PENDING: no name yet
    ]
    assert names(records, ["tag:Name", "computer_name", "ip_address"]) == ["alice-desk", "WSAMZN-B", "10.0.0.3", DAVE]
    assert names(records, ["workspace_id"]) == [ALICE, BOB, CAROL, DAVE]


def test_a_name_two_workspaces_would_share_names_neither() -> None:
    warnings: list[str] = []
    records = [record(ALICE, user_name="sam"), record(BOB, user_name="sam"), record(CAROL, user_name="carol")]
    assert names(records, ["user_name"], warnings) == [ALICE, BOB, "carol"]
    assert warnings == [f"the hostname 'sam' would name more than one WorkSpace: {ALICE}, {BOB} are listed under their ids"]


def test_a_tag_value_that_is_another_workspaces_id_does_not_take_its_place() -> None:
    records = [record(ALICE, {"Name": BOB}), record(BOB, {})]
    assert names(records, ["tag:Name"]) == [ALICE, BOB]


def test_characters_that_break_host_patterns_are_replaced() -> None:
    assert names([record(ALICE, {"Name": " Finance: desk 7, east "})], ["tag:Name"]) == ["Finance__desk_7__east"]


@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "c", None, ""]), st.sampled_from(["x", ALICE, BOB, None])),
        min_size=0,
        max_size=12,
    ),
    st.permutations(["tag:Name", "user_name", "workspace_id"]),
)
def test_every_workspace_gets_one_name_of_its_own(values: list[tuple[str | None, str | None]], hostnames: list[str]) -> None:
    records = [record(ws_id(index), None if tag is None else {"Name": tag}, user_name=user) for index, (tag, user) in enumerate(values)]
    named = names(records, list(hostnames))
    assert len(named) == len(records)
    assert len(set(named)) == len(named)
