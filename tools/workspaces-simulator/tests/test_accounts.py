"""Several accounts through one endpoint: each request reaches the account of its access key;
STS AssumeRole hands out temporary credentials for a role's account."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from workspaces_simulator.accounts import Credentials
from workspaces_simulator.control import SimulatorControlError
from workspaces_simulator.core import Simulator
from workspaces_simulator.scenario import ScenarioError, parse_scenario
from workspaces_simulator.server import SimulatorServer

from .helpers import error_code, http_status

FINANCE = "111122223333"
LAB = "444455556666"
FINANCE_KEY = "AKIAFINANCEKEY000001"
LAB_KEY = "AKIALABKEY0000000001"

#: Two accounts: finance with its own key in two regions, lab with a key and one role.
TWO_ACCOUNTS: dict[str, Any] = {
    "region": "eu-west-1",
    "accounts": [
        {
            "id": FINANCE,
            "access_keys": [FINANCE_KEY],
            "directories": [
                {"name": "paris.example.com", "workspaces": [{"user": "amelie"}]},
                {
                    "name": "boston.example.com",
                    "region": "us-east-1",
                    "workspaces": [{"user": "bob", "state": "ERROR"}],
                },
            ],
        },
        {
            "id": LAB,
            "access_keys": [LAB_KEY],
            "roles": ["WorkSpacesReport"],
            "region": "us-east-1",
            "directories": [
                # The same directory name as finance's: its own directory, in its own account.
                {"name": "boston.example.com", "fleets": [{"name": "lab", "count": 2}]},
            ],
        },
    ],
}

_CONFIG = Config(retries={"mode": "standard", "total_max_attempts": 1})


def _client(
    server: SimulatorServer,
    service: str,
    key: str,
    region: str = "us-east-1",
    token: str | None = None,
) -> Any:
    return boto3.session.Session().client(
        service,
        region_name=region,
        endpoint_url=server.endpoint_url,
        aws_access_key_id=key,
        aws_secret_access_key="not-checked",
        aws_session_token=token,
        config=_CONFIG,
    )


def _users(client: Any) -> list[str]:
    return sorted(ws["UserName"] for ws in client.describe_workspaces()["Workspaces"])


def _assume(server: SimulatorServer, key: str, arn: str, **extra: Any) -> dict[str, Any]:
    sts = _client(server, "sts", key)
    return dict(sts.assume_role(RoleArn=arn, RoleSessionName="fleet-report", **extra))


def _as_role(server: SimulatorServer, answer: dict[str, Any], service: str, region: str) -> Any:
    creds = answer["Credentials"]
    return _client(server, service, creds["AccessKeyId"], region, creds["SessionToken"])


def test_each_key_reaches_its_own_accounts_fleet(simulator: SimulatorServer) -> None:
    """A key sees its account's WorkSpaces in the region it signs for, and no other's."""
    seeded = simulator.control.load_scenario(TWO_ACCOUNTS)
    assert set(seeded["accounts"].values()) == {FINANCE, LAB}
    assert _users(_client(simulator, "workspaces", FINANCE_KEY, "eu-west-1")) == ["amelie"]
    assert _users(_client(simulator, "workspaces", FINANCE_KEY, "us-east-1")) == ["bob"]
    assert _users(_client(simulator, "workspaces", LAB_KEY, "us-east-1")) == ["lab001", "lab002"]
    assert _users(_client(simulator, "workspaces", LAB_KEY, "eu-west-1")) == []
    # Another account's WorkSpace is an id that exists nowhere.
    bob = next(ws for ws, region in seeded["regions"].items() if region == "us-east-1")
    assert seeded["accounts"][bob] == FINANCE
    lab = _client(simulator, "workspaces", LAB_KEY, "us-east-1")
    assert lab.describe_workspaces(WorkspaceIds=[bob])["Workspaces"] == []


@pytest.mark.parametrize(
    ("key", "token"),
    [("AKIAUNKNOWNKEY000001", None), ("testing", None)],
)
def test_an_unknown_key_is_refused_once_accounts_are_declared(
    simulator: SimulatorServer, key: str, token: str | None
) -> None:
    """UnrecognizedClientException (HTTP 400, the JSON protocol's answer); STS answers
    InvalidClientTokenId (HTTP 403). Neither reaches a backend; both are counted."""
    simulator.control.load_scenario(TWO_ACCOUNTS)
    with pytest.raises(ClientError) as refused:
        _client(simulator, "workspaces", key, token=token).describe_workspaces()
    assert error_code(refused.value) == "UnrecognizedClientException"
    assert http_status(refused.value) == 400
    assert "security token included in the request is invalid" in str(refused.value)
    with pytest.raises(ClientError) as sts_refused:
        _client(simulator, "sts", key).get_caller_identity()
    assert error_code(sts_refused.value) == "InvalidClientTokenId"
    assert http_status(sts_refused.value) == 403
    calls = simulator.control.calls()
    assert calls["unrecognized"] == {"DescribeWorkspaces": 1, "GetCallerIdentity": 1}
    assert calls["by_operation"] == {"DescribeWorkspaces": 1, "GetCallerIdentity": 1}
    assert calls["accepted"] == {"DescribeWorkspaces": 0, "GetCallerIdentity": 0}
    assert calls["by_account"] == {}


def test_without_accounts_any_key_reaches_the_one_account(simulator: SimulatorServer) -> None:
    """A scenario without accounts: any key, and the control API answers as it always did."""
    seeded = simulator.control.load_scenario({"directories": [{"workspaces": [{"user": "al"}]}]})
    assert "accounts" not in seeded
    for key in ("testing", "AKIAANYTHING00000001"):
        assert _users(_client(simulator, "workspaces", key)) == ["al"]
    identity = _client(simulator, "sts", "testing").get_caller_identity()
    assert identity["Account"] == "123456789012"
    assert identity["Arn"] == "arn:aws:iam::123456789012:root"
    calls = simulator.control.calls()
    assert "by_account" not in calls and "unrecognized" not in calls
    assert "Account" not in simulator.control.workspaces()[0]


def test_assume_role_reaches_the_roles_account(simulator: SimulatorServer) -> None:
    """Temporary credentials (ASIA, secret, token, expiration) reach the role's account, in
    whichever region they sign for; GetCallerIdentity names the assumed role."""
    simulator.control.load_scenario(TWO_ACCOUNTS)
    answer = _assume(simulator, FINANCE_KEY, f"arn:aws:iam::{LAB}:role/WorkSpacesReport")
    creds = answer["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and len(creds["AccessKeyId"]) == 20
    assert creds["SecretAccessKey"] and creds["SessionToken"]
    remaining = creds["Expiration"].timestamp() - simulator.simulator.wall_clock()
    assert 3500 < remaining <= 3600
    assert answer["AssumedRoleUser"]["Arn"] == (
        f"arn:aws:sts::{LAB}:assumed-role/WorkSpacesReport/fleet-report"
    )
    assert answer["AssumedRoleUser"]["AssumedRoleId"].startswith("AROA")
    assert _users(_as_role(simulator, answer, "workspaces", "us-east-1")) == ["lab001", "lab002"]
    identity = _as_role(simulator, answer, "sts", "eu-west-1").get_caller_identity()
    assert identity["Account"] == LAB
    assert identity["Arn"] == answer["AssumedRoleUser"]["Arn"]
    assert identity["UserId"] == answer["AssumedRoleUser"]["AssumedRoleId"]
    by_account = simulator.control.calls()["by_account"]
    assert by_account[FINANCE]["by_operation"] == {"AssumeRole": 1}
    assert by_account[LAB]["by_region"] == {
        "us-east-1": {
            "by_operation": {"DescribeWorkspaces": 1},
            "accepted": {"DescribeWorkspaces": 1},
        },
        "eu-west-1": {
            "by_operation": {"GetCallerIdentity": 1},
            "accepted": {"GetCallerIdentity": 1},
        },
    }


def test_temporary_keys_need_their_session_token(simulator: SimulatorServer) -> None:
    """An ASIA key sent without its session token (or with another) is refused, as on AWS."""
    simulator.control.load_scenario(TWO_ACCOUNTS)
    answer = _assume(simulator, LAB_KEY, f"arn:aws:iam::{LAB}:role/WorkSpacesReport")
    key = answer["Credentials"]["AccessKeyId"]
    for token in (None, "not-the-token"):
        with pytest.raises(ClientError) as refused:
            _client(simulator, "workspaces", key, token=token).describe_workspaces()
        assert error_code(refused.value) == "UnrecognizedClientException"


@pytest.mark.parametrize(
    ("arn", "code", "status"),
    [
        (f"arn:aws:iam::{LAB}:role/SomethingElse", "AccessDenied", 403),  # not in lab's roles
        ("arn:aws:iam::999988887777:role/Any", "AccessDenied", 403),  # no such account
        ("arn:aws:iam::12345:role/Short", "ValidationError", 400),
    ],
)
def test_assume_role_refuses_what_cannot_be_assumed(
    simulator: SimulatorServer, arn: str, code: str, status: int
) -> None:
    """A role the account does not list, an undeclared account, a malformed ARN."""
    simulator.control.load_scenario(TWO_ACCOUNTS)
    with pytest.raises(ClientError) as refused:
        _assume(simulator, FINANCE_KEY, arn)
    assert error_code(refused.value) == code
    assert http_status(refused.value) == status
    if code == "AccessDenied":
        assert f"arn:aws:iam::{FINANCE}:root is not authorized to perform: sts:AssumeRole" in str(
            refused.value
        )


def test_any_role_name_of_an_account_listing_no_roles(simulator: SimulatorServer) -> None:
    """An account without ``roles`` lets any role name be assumed in it."""
    simulator.control.load_scenario(TWO_ACCOUNTS)
    answer = _assume(simulator, LAB_KEY, f"arn:aws:iam::{FINANCE}:role/path/to/AnyName")
    assert _users(_as_role(simulator, answer, "workspaces", "eu-west-1")) == ["amelie"]


def test_without_accounts_only_the_default_accounts_roles(simulator: SimulatorServer) -> None:
    """With one account, a role of another is refused rather than silently the same fleet."""
    simulator.control.load_scenario({"directories": [{"workspaces": [{"user": "al"}]}]})
    answer = _assume(simulator, "testing", "arn:aws:iam::123456789012:role/Ops")
    assert _users(_as_role(simulator, answer, "workspaces", "us-east-1")) == ["al"]
    with pytest.raises(ClientError) as refused:
        _assume(simulator, "testing", f"arn:aws:iam::{LAB}:role/Ops")
    assert error_code(refused.value) == "AccessDenied"


def test_temporary_credentials_expire() -> None:
    """After DurationSeconds the key answers ExpiredToken(Exception)."""
    now = [1_700_000_000.0]
    simulator = Simulator(wall_clock=lambda: now[0])
    simulator.load_scenario(TWO_ACCOUNTS)
    session = simulator.credentials.assume_role(
        "caller", f"arn:aws:iam::{LAB}:role/WorkSpacesReport", "s1", 900, now[0]
    )
    assert simulator.account_for(session.access_key_id, session.session_token) == LAB
    now[0] += 900
    with SimulatorServer(simulator=simulator) as server:
        with pytest.raises(ClientError) as expired:
            _client(
                server, "workspaces", session.access_key_id, token=session.session_token
            ).describe_workspaces()
        assert error_code(expired.value) == "ExpiredTokenException"
        with pytest.raises(ClientError) as sts_expired:
            _client(
                server, "sts", session.access_key_id, token=session.session_token
            ).get_caller_identity()
        assert error_code(sts_expired.value) == "ExpiredToken"


def test_the_control_api_has_an_account_dimension(simulator: SimulatorServer) -> None:
    """?account= keeps one account's WorkSpaces; each names its Account; reset forgets the
    accounts and their keys."""
    simulator.control.load_scenario(TWO_ACCOUNTS)
    every = simulator.control.workspaces()
    assert [(ws["Account"], ws["Region"], ws["UserName"]) for ws in every] == [
        (FINANCE, "eu-west-1", "amelie"),
        (FINANCE, "us-east-1", "bob"),
        (LAB, "us-east-1", "lab001"),
        (LAB, "us-east-1", "lab002"),
    ]
    lab = simulator.control.workspaces(account=LAB)
    assert [ws["UserName"] for ws in lab] == ["lab001", "lab002"]
    assert simulator.control.workspaces(account=LAB, region="eu-west-1") == []
    assert simulator.control.workspaces(account="000000000000") == []
    with pytest.raises(SimulatorControlError) as malformed:
        simulator.control.workspaces(account="lab")
    assert malformed.value.status == 400
    # The control API finds a WorkSpace in whichever account holds it.
    simulator.control.set_state(lab[0]["WorkspaceId"], "ERROR")
    assert simulator.control.workspace(lab[0]["WorkspaceId"])["State"] == "ERROR"
    simulator.control.reset()
    assert _users(_client(simulator, "workspaces", "anything")) == []


def test_workspace_ids_are_unique_across_accounts(simulator: SimulatorServer) -> None:
    """The same directory and fleet in two accounts get different ids; an explicit id taken in
    another account is refused and nothing is loaded."""
    fleet = {"name": "corp.example.com", "fleets": [{"name": "staff", "count": 3}]}
    seeded = simulator.control.load_scenario(
        {
            "accounts": [
                {"id": FINANCE, "access_keys": [FINANCE_KEY], "directories": [fleet]},
                {"id": LAB, "access_keys": [LAB_KEY], "directories": [fleet]},
            ]
        }
    )
    assert len(set(seeded["workspace_ids"])) == 6
    taken = seeded["workspace_ids"][0]
    with pytest.raises(SimulatorControlError) as refused:
        simulator.control.load_scenario(
            {
                "accounts": [
                    {"id": LAB, "directories": [{"workspaces": [{"id": taken, "user": "x"}]}]}
                ]
            }
        )
    assert "already exist" in refused.value.message


def test_a_key_answers_for_one_account_only(simulator: SimulatorServer) -> None:
    """A key declared for two accounts is refused, in one scenario or across two; a later
    scenario can add keys to an account already declared."""
    simulator.control.load_scenario(TWO_ACCOUNTS)
    with pytest.raises(SimulatorControlError) as refused:
        simulator.control.load_scenario({"accounts": [{"id": LAB, "access_keys": [FINANCE_KEY]}]})
    assert f"access key {FINANCE_KEY} answers for account {FINANCE}" in refused.value.message
    simulator.control.load_scenario(
        {"accounts": [{"id": LAB, "access_keys": ["AKIALABSECOND0000001"]}]}
    )
    assert _users(_client(simulator, "workspaces", "AKIALABSECOND0000001")) == ["lab001", "lab002"]


@pytest.mark.parametrize(
    ("scenario", "message"),
    [
        ({"accounts": [{"id": 111122223333}]}, "12 digits as a quoted string"),
        ({"accounts": [{"id": "1234"}]}, "accounts[0].id must be an AWS account id"),
        ({"accounts": [{"id": FINANCE, "access_keys": "AKIA"}]}, "must be a list of strings"),
        ({"accounts": [{"id": FINANCE, "access_keys": ["a/b"]}]}, "does not match"),
        ({"accounts": [{"id": FINANCE, "roles": ["no spaces"]}]}, "does not match"),
        ({"accounts": [{"id": FINANCE, "region": "mars"}]}, "is not an AWS region name"),
        ({"accounts": [{"id": FINANCE, "users": []}]}, "users"),
        ({"accounts": [{"id": FINANCE}, {"id": FINANCE}]}, "accounts declared twice"),
        ({"accounts": {"id": FINANCE}}, "accounts must be a list"),
        (
            {
                "accounts": [
                    {"id": FINANCE, "access_keys": ["K1"]},
                    {"id": LAB, "access_keys": ["K1"]},
                ]
            },
            "access key K1 answers for account",
        ),
    ],
)
def test_malformed_accounts_are_refused(scenario: dict[str, Any], message: str) -> None:
    simulator = Simulator()
    with pytest.raises(ScenarioError) as refused:
        simulator.load_scenario(scenario)
    assert message in str(refused.value)
    assert not simulator.accounts_declared and simulator.workspaces() == []


def test_an_accounts_directories_take_its_region_then_the_scenarios() -> None:
    plan = parse_scenario(TWO_ACCOUNTS, 0.0)
    assert [(d.account_id, d.region) for d in plan.directories] == [
        (FINANCE, "eu-west-1"),
        (FINANCE, "us-east-1"),
        (LAB, "us-east-1"),
    ]
    assert [a.roles for a in plan.accounts] == [None, ["WorkSpacesReport"]]


def test_credentials_alone() -> None:
    """Without declared accounts every key, known or not, is the default account."""
    credentials = Credentials()
    assert credentials.account_of(None, None, 0.0) == "123456789012"
    assert credentials.account_of("whatever", "token", 0.0) == "123456789012"


def test_iam_lists_no_account_alias(simulator: SimulatorServer) -> None:
    """ListAccountAliases (what amazon.aws.aws_caller_info asks after STS) lists none; an
    unknown key is refused as STS refuses it; other IAM actions are not served."""
    simulator.control.load_scenario(TWO_ACCOUNTS)
    iam = _client(simulator, "iam", LAB_KEY)
    assert iam.list_account_aliases()["AccountAliases"] == []
    with pytest.raises(ClientError) as not_served:
        iam.list_users()
    assert error_code(not_served.value) == "InvalidAction"
    with pytest.raises(ClientError) as refused:
        _client(simulator, "iam", "AKIAUNKNOWNKEY000001").list_account_aliases()
    assert error_code(refused.value) == "InvalidClientTokenId"
    assert simulator.control.calls()["by_account"][LAB]["by_operation"] == {
        "ListAccountAliases": 1,
        "ListUsers": 1,
    }
