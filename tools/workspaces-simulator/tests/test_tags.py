"""CreateTags, DescribeTags and DeleteTags on WorkSpaces, as the collection's marker tag uses them."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from workspaces_simulator.server import SimulatorServer

from .conftest import ClientFactory, Seeder
from .helpers import error_code, http_status

TOKEN_KEY = "euc.workspaces:rebuild-token"


def tags_of(client: Any, resource_id: str) -> dict[str, str]:
    """DescribeTags as a mapping."""
    return {
        tag["Key"]: tag["Value"] for tag in client.describe_tags(ResourceId=resource_id)["TagList"]
    }


def test_a_marker_tag_is_written_read_and_removed(
    simulator: SimulatorServer, client: Any, seed: Seeder
) -> None:
    """The marker tag round-trips over HTTP and leaves the seeded tags alone."""
    (workspace_id,) = seed("AVAILABLE", tags={"Project": "euc"})
    client.create_tags(ResourceId=workspace_id, Tags=[{"Key": TOKEN_KEY, "Value": "run-1"}])
    assert tags_of(client, workspace_id) == {"Project": "euc", TOKEN_KEY: "run-1"}
    assert simulator.control.workspace(workspace_id)["Tags"] == [
        {"Key": "Project", "Value": "euc"},
        {"Key": TOKEN_KEY, "Value": "run-1"},
    ]
    client.delete_tags(ResourceId=workspace_id, TagKeys=[TOKEN_KEY])
    assert tags_of(client, workspace_id) == {"Project": "euc"}


def test_create_tags_overwrites_an_existing_key(client: Any, seed: Seeder) -> None:
    """Writing a key again replaces its value in place, as the service does (moto appends)."""
    (workspace_id,) = seed("AVAILABLE", tags={TOKEN_KEY: "run-1", "Owner": "ops"})
    client.create_tags(ResourceId=workspace_id, Tags=[{"Key": TOKEN_KEY, "Value": "run-2"}])
    assert client.describe_tags(ResourceId=workspace_id)["TagList"] == [
        {"Key": TOKEN_KEY, "Value": "run-2"},
        {"Key": "Owner", "Value": "ops"},
    ]


def test_delete_tags_ignores_keys_the_workspace_lacks(client: Any, seed: Seeder) -> None:
    """Deleting an absent key succeeds and changes nothing; present keys in the same call go."""
    (workspace_id,) = seed("AVAILABLE", tags={"Project": "euc", "Owner": "ops"})
    client.delete_tags(ResourceId=workspace_id, TagKeys=["Owner", "NoSuchKey"])
    assert tags_of(client, workspace_id) == {"Project": "euc"}
    client.delete_tags(ResourceId=workspace_id, TagKeys=["NoSuchKey"])
    assert tags_of(client, workspace_id) == {"Project": "euc"}


def test_tags_of_one_workspace_do_not_touch_another(client: Any, seed: Seeder) -> None:
    """Each WorkSpace has its own tag list."""
    first, second = seed("AVAILABLE", "AVAILABLE", tags={"Project": "euc"})
    client.create_tags(ResourceId=first, Tags=[{"Key": TOKEN_KEY, "Value": "x"}])
    client.delete_tags(ResourceId=second, TagKeys=["Project"])
    assert tags_of(client, first) == {"Project": "euc", TOKEN_KEY: "x"}
    assert tags_of(client, second) == {}


def test_directories_can_be_tagged_too(simulator: SimulatorServer, client: Any) -> None:
    """ResourceId may name a directory; the same three operations work on it."""
    loaded = simulator.control.load_scenario({"directories": [{"name": "tags.example.com"}]})
    (directory_id,) = loaded["directory_ids"]
    client.create_tags(ResourceId=directory_id, Tags=[{"Key": "Team", "Value": "euc"}])
    assert tags_of(client, directory_id) == {"Team": "euc"}
    client.delete_tags(ResourceId=directory_id, TagKeys=["Team"])
    assert tags_of(client, directory_id) == {}


@pytest.mark.parametrize(
    ("method", "extra"),
    [
        ("create_tags", {"Tags": [{"Key": TOKEN_KEY, "Value": "x"}]}),
        ("describe_tags", {}),
        ("delete_tags", {"TagKeys": [TOKEN_KEY]}),
    ],
)
def test_unknown_resources_are_not_found(client: Any, method: str, extra: dict[str, Any]) -> None:
    """A well-formed id of nothing is a ResourceNotFoundException for all three operations."""
    with pytest.raises(ClientError) as caught:
        getattr(client, method)(ResourceId="ws-doesnotexist", **extra)
    assert error_code(caught.value) == "ResourceNotFoundException"
    assert http_status(caught.value) == 400


def test_delete_tags_is_validated_against_the_model(
    make_client: ClientFactory, seed: Seeder
) -> None:
    """An empty key and a missing TagKeys break the model, and are refused server side too."""
    (workspace_id,) = seed("AVAILABLE", tags={"Project": "euc"})
    unvalidated = make_client(validate=False)
    with pytest.raises(ClientError) as caught:
        unvalidated.delete_tags(ResourceId=workspace_id, TagKeys=[""])
    assert error_code(caught.value) == "ValidationException"
    assert "tagKeys.1.member" in str(caught.value)
    with pytest.raises(ClientError) as caught:
        unvalidated.delete_tags(ResourceId=workspace_id)
    assert error_code(caught.value) == "ValidationException"
    assert tags_of(unvalidated, workspace_id) == {"Project": "euc"}


def test_the_tag_limit_is_fifty(client: Any, seed: Seeder) -> None:
    """A 51st key is refused with ResourceLimitExceededException; overwriting never counts."""
    (workspace_id,) = seed("AVAILABLE")
    client.create_tags(
        ResourceId=workspace_id, Tags=[{"Key": f"k{index}", "Value": ""} for index in range(50)]
    )
    client.create_tags(ResourceId=workspace_id, Tags=[{"Key": "k0", "Value": "again"}])
    with pytest.raises(ClientError) as caught:
        client.create_tags(ResourceId=workspace_id, Tags=[{"Key": TOKEN_KEY, "Value": "x"}])
    assert error_code(caught.value) == "ResourceLimitExceededException"
    tags = tags_of(client, workspace_id)
    assert len(tags) == 50
    assert tags["k0"] == "again"
    assert TOKEN_KEY not in tags


def test_tag_calls_are_counted(simulator: SimulatorServer, client: Any, seed: Seeder) -> None:
    """The three operations show in by_operation and accepted, per WorkSpace via ResourceId."""
    (workspace_id,) = seed("AVAILABLE")
    client.create_tags(ResourceId=workspace_id, Tags=[{"Key": TOKEN_KEY, "Value": "x"}])
    client.describe_tags(ResourceId=workspace_id)
    client.delete_tags(ResourceId=workspace_id, TagKeys=[TOKEN_KEY])
    client.delete_tags(ResourceId=workspace_id, TagKeys=[TOKEN_KEY])
    calls = simulator.control.calls()
    expected = {"CreateTags": 1, "DescribeTags": 1, "DeleteTags": 2}
    assert calls["by_operation"] == expected
    assert calls["accepted"] == expected
    assert calls["accepted_by_workspace"] == {op: {workspace_id: n} for op, n in expected.items()}
    # Tagging starts no transition.
    assert calls["started"] == {}


def test_faults_apply_to_delete_tags(simulator: SimulatorServer, client: Any, seed: Seeder) -> None:
    """A lost DeleteTags answer still removed the tag; a throttled one did not reach the backend."""
    first, second = seed("AVAILABLE", "AVAILABLE", tags={TOKEN_KEY: "x"})
    simulator.control.set_faults(
        {
            "DeleteTags": {
                "lose_answers": {"workspaces": [first]},
                "throttle": {"rate": 0, "burst": 1},
            }
        }
    )
    with pytest.raises(ClientError) as caught:
        client.delete_tags(ResourceId=first, TagKeys=[TOKEN_KEY])
    assert error_code(caught.value) == "InternalServerError"
    with pytest.raises(ClientError) as caught:
        client.delete_tags(ResourceId=second, TagKeys=[TOKEN_KEY])
    assert error_code(caught.value) == "ThrottlingException"
    assert tags_of(client, first) == {}
    assert tags_of(client, second) == {TOKEN_KEY: "x"}
    calls = simulator.control.calls()
    assert calls["by_operation"]["DeleteTags"] == 2
    assert calls["accepted"]["DeleteTags"] == 1
    assert calls["faults"]["DeleteTags"]["answer_lost"] == 1
    assert calls["faults"]["DeleteTags"]["throttled"] == 1
