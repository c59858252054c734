# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Selectors -> WorkSpaces: what is selected, why the rest is not, and the calls it costs."""

from __future__ import annotations

import typing as t

import pytest

from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.api import WorkspacesApi
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.common import InvalidOptionError
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.common import WorkspacesError
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.selection import Selection
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.selection import Selectors
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.selection import select_workspaces

from ....helpers.fake_workspaces import BUNDLE
from ....helpers.fake_workspaces import DIRECTORY
from ....helpers.fake_workspaces import OTHER_BUNDLE
from ....helpers.fake_workspaces import OTHER_DIRECTORY
from ....helpers.fake_workspaces import FakeWorkspacesClient
from ....helpers.fake_workspaces import access_denied
from ....helpers.fake_workspaces import client_error
from ....helpers.fake_workspaces import throttled
from ....helpers.fake_workspaces import workspace
from ....helpers.fake_workspaces import ws_id

ALICE = "ws-alice0001"
BOB = "ws-bob00001"
CAROL = "ws-carol0001"
DAVE = "ws-dave00001"
UNKNOWN = "ws-unknown01"
UNKNOWN_2 = "ws-unknown02"
EVERYONE = [ALICE, BOB, CAROL, DAVE]


@pytest.fixture
def fake() -> FakeWorkspacesClient:
    """Four WorkSpaces, listed by AWS in an order that is not sorted by id."""
    client = FakeWorkspacesClient(
        [
            workspace(CAROL, "AVAILABLE", directory_id=OTHER_DIRECTORY, user_name="carol", bundle_id=BUNDLE),
            workspace(ALICE, "AVAILABLE", user_name="alice", bundle_id=BUNDLE),
            workspace(DAVE, "STOPPED", user_name="dave", bundle_id=BUNDLE),
            workspace(BOB, "ERROR", user_name="Bob", bundle_id=OTHER_BUNDLE),
        ]
    )
    client.tags = {ALICE: {"team": "finance", "env": "prod"}, BOB: {"team": "finance"}, CAROL: {"team": "hr"}}
    return client


def select(fake: FakeWorkspacesClient, max_concurrency: int = 1, states: t.AbstractSet[str] | None = None, **params: t.Any) -> Selection:
    return select_workspaces(WorkspacesApi(fake), Selectors.from_params(params), max_concurrency, states)


def ids(entries: t.Iterable[t.Mapping[str, t.Any]]) -> list[str]:
    return [entry["WorkspaceId"] for entry in entries]


def tag_reads(fake: FakeWorkspacesClient) -> list[str]:
    return sorted(params["ResourceId"] for params in fake.calls_of("DescribeTags"))


@pytest.mark.parametrize(
    ("params", "matched", "describe_calls", "tags_read"),
    [
        pytest.param({"workspace_ids": [CAROL, ALICE]}, [ALICE, CAROL], [{"WorkspaceIds": [CAROL, ALICE]}], [], id="ids"),
        pytest.param({"directory_id": DIRECTORY}, [ALICE, BOB, DAVE], [{"DirectoryId": DIRECTORY}], [], id="directory"),
        pytest.param({"bundle_id": BUNDLE}, [ALICE, CAROL, DAVE], [{"BundleId": BUNDLE}], [], id="bundle"),
        pytest.param({"tags": {"team": "finance"}}, [ALICE, BOB], [{}], EVERYONE, id="tags"),
        pytest.param(
            {"directory_id": DIRECTORY, "user_names": ["alice"]}, [ALICE], [{"DirectoryId": DIRECTORY, "UserName": "alice"}], [], id="directory-and-user"
        ),
        pytest.param({"directory_id": DIRECTORY, "bundle_id": BUNDLE}, [ALICE, DAVE], [{"DirectoryId": DIRECTORY}], [], id="directory-and-bundle"),
        pytest.param(
            {"workspace_ids": [ALICE, BOB, CAROL], "directory_id": DIRECTORY}, [ALICE, BOB], [{"WorkspaceIds": [ALICE, BOB, CAROL]}], [], id="ids-and-directory"
        ),
        pytest.param(
            {"workspace_ids": EVERYONE, "bundle_id": BUNDLE, "tags": {"team": "finance"}},
            [ALICE],
            [{"WorkspaceIds": EVERYONE}],
            [ALICE, CAROL, DAVE],
            id="ids-bundle-and-tags",
        ),
        pytest.param(
            {"directory_id": DIRECTORY, "bundle_id": BUNDLE, "tags": {"team": "finance"}},
            [ALICE],
            [{"DirectoryId": DIRECTORY}],
            [ALICE, DAVE],
            id="directory-bundle-and-tags",
        ),
        pytest.param(
            {"bundle_id": BUNDLE, "tags": {"team": "finance", "env": "prod"}}, [ALICE], [{"BundleId": BUNDLE}], [ALICE, CAROL, DAVE], id="bundle-and-two-tags"
        ),
        pytest.param({}, EVERYONE, [{}], [], id="no-selector-means-the-whole-region"),
    ],
)
def test_selectors_combine_with_and(
    fake: FakeWorkspacesClient, params: dict[str, t.Any], matched: list[str], describe_calls: list[dict], tags_read: list[str]
) -> None:
    """One selector goes to the server, the others are applied on the result, tags last and only on what is left."""
    selection = select(fake, **params)
    assert ids(selection.matched) == matched
    assert fake.calls_of("DescribeWorkspaces") == describe_calls
    assert tag_reads(fake) == tags_read
    assert set(fake.operations) <= {"DescribeWorkspaces", "DescribeTags"}


def test_matched_workspaces_carry_their_tags_when_tags_were_read(fake: FakeWorkspacesClient) -> None:
    """Tags read for the tags selector are kept on the entries; none are added otherwise."""
    selection = select(fake, tags={"team": "finance"})
    assert [entry["Tags"] for entry in selection.matched] == [{"team": "finance", "env": "prod"}, {"team": "finance"}]
    assert all("Tags" not in entry for entry in select(fake, directory_id=DIRECTORY).matched)


@pytest.mark.parametrize("max_concurrency", [1, 8])
def test_ids_are_asked_25_at_a_time(max_concurrency: int) -> None:
    """60 ids cost 3 DescribeWorkspaces calls; every WorkSpace is found once."""
    fleet = [ws_id(n) for n in range(60)]
    fake = FakeWorkspacesClient([workspace(wid) for wid in fleet])
    selection = select(fake, max_concurrency, workspace_ids=fleet)
    assert [len(params["WorkspaceIds"]) for params in fake.calls_of("DescribeWorkspaces")] == [25, 25, 10]
    assert ids(selection.matched) == fleet
    assert selection.missing_ids == []


def test_duplicate_ids_are_collapsed(fake: FakeWorkspacesClient) -> None:
    """An id named several times is asked for, and selected, once."""
    selection = select(fake, workspace_ids=[BOB, ALICE, BOB, ALICE, BOB])
    assert fake.calls_of("DescribeWorkspaces") == [{"WorkspaceIds": [BOB, ALICE]}]
    assert ids(selection.matched) == [ALICE, BOB]


def test_ids_not_found_are_missing_in_the_order_given(fake: FakeWorkspacesClient) -> None:
    """Ids AWS does not know are reported as missing, in the order the task gave them."""
    selection = select(fake, workspace_ids=[UNKNOWN_2, ALICE, UNKNOWN])
    assert selection.missing_ids == [UNKNOWN_2, UNKNOWN]
    assert ids(selection.matched) == [ALICE]
    assert selection.excluded == []


def test_an_empty_id_list_names_nothing_and_costs_nothing(fake: FakeWorkspacesClient) -> None:
    """An empty workspace_ids names no WorkSpace (not every WorkSpace) and costs no call."""
    selection = select(fake, workspace_ids=[])
    assert (selection.matched, selection.missing_ids, selection.excluded) == ([], [], [])
    assert fake.calls == []


@pytest.mark.parametrize(
    ("params", "excluded", "reason"),
    [
        pytest.param(
            {"workspace_ids": [CAROL], "directory_id": DIRECTORY}, CAROL, f"it is in directory {OTHER_DIRECTORY!r}, not {DIRECTORY!r}", id="directory"
        ),
        pytest.param({"workspace_ids": [BOB], "bundle_id": BUNDLE}, BOB, f"it uses bundle {OTHER_BUNDLE!r}, not {BUNDLE!r}", id="bundle"),
        pytest.param({"workspace_ids": [BOB], "directory_id": DIRECTORY, "user_names": ["alice"]}, BOB, "its user 'Bob' is not in user_names", id="user"),
        pytest.param({"workspace_ids": [DAVE], "tags": {"team": "finance"}}, DAVE, "it has no tag 'team'", id="missing-tag"),
        pytest.param({"workspace_ids": [CAROL], "tags": {"team": "finance"}}, CAROL, "its tag 'team' is 'hr', not 'finance'", id="tag-value"),
        pytest.param(
            {"workspace_ids": [ALICE], "exclude_tags": {"env": "prod"}},
            ALICE,
            "excluded by exclude_tags: it carries the tag 'env' = 'prod'",
            id="exclude-tags",
        ),
        pytest.param(
            {"workspace_ids": [ALICE], "tags": {"team": "finance"}, "exclude_tags": {"env": "prod"}},
            ALICE,
            "excluded by exclude_tags: it carries the tag 'env' = 'prod'",
            id="tags-and-exclude-tags",
        ),
    ],
)
def test_named_workspaces_ruled_out_by_another_selector_are_excluded_with_the_reason(
    fake: FakeWorkspacesClient, params: dict[str, t.Any], excluded: str, reason: str
) -> None:
    """A WorkSpace named by id but ruled out by another selector is excluded, saying which selector and why."""
    selection = select(fake, **params)
    assert selection.matched == []
    assert [(entry["WorkspaceId"], why) for entry, why in selection.excluded] == [(excluded, reason)]


def test_workspaces_not_named_are_not_reported_as_excluded(fake: FakeWorkspacesClient) -> None:
    """Filters only narrow: what they leave out is not the operator's concern."""
    selection = select(fake, directory_id=DIRECTORY, bundle_id=BUNDLE, tags={"team": "finance"})
    assert ids(selection.matched) == [ALICE]
    assert selection.excluded == []


def test_excluded_workspaces_are_sorted_by_id(fake: FakeWorkspacesClient) -> None:
    """Exclusions from the other selectors and from tags come back together, sorted by id."""
    selection = select(fake, workspace_ids=[DAVE, CAROL, BOB, ALICE], directory_id=OTHER_DIRECTORY, tags={"team": "hr"})
    assert ids(selection.matched) == [CAROL]
    assert [entry["WorkspaceId"] for entry, _why in selection.excluded] == [ALICE, BOB, DAVE]


def user_name_calls(fake: FakeWorkspacesClient) -> list[str]:
    """The UserName of every DescribeWorkspaces call, sorted: the calls may run concurrently."""
    return sorted(params["UserName"] for params in fake.calls_of("DescribeWorkspaces"))


@pytest.mark.parametrize("max_concurrency", [1, 4])
def test_few_user_names_cost_one_call_each(fake: FakeWorkspacesClient, max_concurrency: int) -> None:
    """Up to 25 user names: one DescribeWorkspaces per user, sent with DirectoryId and UserName."""
    selection = select(fake, max_concurrency, directory_id=DIRECTORY, user_names=["alice", "Bob", "dave"])
    assert ids(selection.matched) == [ALICE, BOB, DAVE]
    assert sorted(fake.calls_of("DescribeWorkspaces"), key=lambda params: params["UserName"]) == [
        {"DirectoryId": DIRECTORY, "UserName": name} for name in sorted(("alice", "Bob", "dave"))
    ]


@pytest.mark.parametrize(("count", "calls"), [(25, 25), (26, 1)])
def test_more_than_25_user_names_list_the_directory_once(fake: FakeWorkspacesClient, count: int, calls: int) -> None:
    """Past 25 user names the directory is listed once and user names are matched locally."""
    names = ["alice"] + [f"nobody{n}" for n in range(count - 1)]
    selection = select(fake, 4, directory_id=DIRECTORY, user_names=names)
    assert ids(selection.matched) == [ALICE]
    describe_calls = fake.calls_of("DescribeWorkspaces")
    assert len(describe_calls) == calls
    if calls == 1:
        assert describe_calls == [{"DirectoryId": DIRECTORY}]


# The users of DIRECTORY are alice (ALICE), Bob (BOB) and dave (DAVE).
EXACT_USER_NAMES = [
    pytest.param(["ALICE"], [], id="another-case-selects-nothing"),
    pytest.param(["Alice", "BOB", "bob", "DAVE"], [], id="no-name-in-the-directory-case"),
    pytest.param(["alice", "Bob"], [ALICE, BOB], id="the-directory-case"),
    pytest.param(["alice", "bob"], [ALICE], id="one-of-two-in-the-directory-case"),
    pytest.param(["ALICE", "alice"], [ALICE], id="two-spellings-of-one-user"),
]

# 25 more names that match nobody: past 25 names, the directory is listed instead.
PAST_25 = [f"nobody{n}" for n in range(25)]


@pytest.mark.parametrize(("user_names", "matched"), EXACT_USER_NAMES)
def test_user_names_asked_one_by_one_match_exactly(fake: FakeWorkspacesClient, user_names: list[str], matched: list[str]) -> None:
    """Up to 25 names, each goes to the service's UserName filter, which matches case included:
    one DescribeWorkspaces(DirectoryId, UserName) per name, every spelling asked for as given."""
    selection = select(fake, directory_id=DIRECTORY, user_names=user_names)
    assert ids(selection.matched) == matched
    assert all(set(params) == {"DirectoryId", "UserName"} and params["DirectoryId"] == DIRECTORY for params in fake.calls_of("DescribeWorkspaces"))
    assert user_name_calls(fake) == sorted(user_names)
    assert selection.excluded == []


@pytest.mark.parametrize(("user_names", "matched"), EXACT_USER_NAMES)
def test_user_names_matched_on_a_directory_listing_match_exactly(fake: FakeWorkspacesClient, user_names: list[str], matched: list[str]) -> None:
    """Past 25 names, the one directory listing is matched on the client, case included too:
    the same names select the same WorkSpaces as when they are asked for one by one."""
    selection = select(fake, directory_id=DIRECTORY, user_names=user_names + PAST_25)
    assert ids(selection.matched) == matched
    assert fake.calls_of("DescribeWorkspaces") == [{"DirectoryId": DIRECTORY}]
    assert selection.excluded == []


@pytest.mark.parametrize(("user_names", "matched"), EXACT_USER_NAMES)
def test_user_names_applied_to_workspaces_named_by_id_match_exactly(fake: FakeWorkspacesClient, user_names: list[str], matched: list[str]) -> None:
    """With ids, the ids go to the server and user names are matched on the client, case included;
    the WorkSpaces of DIRECTORY whose user is not spelled so are excluded, saying so."""
    selection = select(fake, workspace_ids=EVERYONE, directory_id=DIRECTORY, user_names=user_names)
    assert ids(selection.matched) == matched
    assert fake.calls_of("DescribeWorkspaces") == [{"WorkspaceIds": EVERYONE}]
    users = {ALICE: "alice", BOB: "Bob", DAVE: "dave"}
    assert [(entry["WorkspaceId"], why) for entry, why in selection.excluded] == [
        (wid, f"it is in directory {OTHER_DIRECTORY!r}, not {DIRECTORY!r}" if wid == CAROL else f"its user {users[wid]!r} is not in user_names")
        for wid in sorted(EVERYONE)
        if wid not in matched
    ]


def test_a_workspace_gone_before_its_tags_were_read_has_no_tags(fake: FakeWorkspacesClient) -> None:
    """A WorkSpace deleted before DescribeTags counts as having no tags, and is excluded saying so."""
    fake.errors["DescribeTags"] = [client_error("ResourceNotFoundException", "gone", "DescribeTags")]
    selection = select(fake, workspace_ids=[ALICE], tags={"team": "finance"})
    assert selection.matched == []
    assert [(entry["WorkspaceId"], why) for entry, why in selection.excluded] == [(ALICE, "it has no tag 'team'")]


@pytest.mark.parametrize(
    ("tagged", "wanted", "matched"),
    [
        pytest.param("4711", "4711", True, id="string"),
        pytest.param("04711", "4711", False, id="another-spelling-of-the-number"),
        pytest.param("4711.0", "4711", False, id="not-a-float-spelling"),
        pytest.param("-3", "-3", True, id="negative-number-as-a-string"),
    ],
)
def test_tag_values_are_compared_as_the_strings_given(fake: FakeWorkspacesClient, tagged: str, wanted: str, matched: bool) -> None:
    """AWS stores tag values as strings, and a quoted value matches exactly that string, no other
    spelling of the same number."""
    fake.tags[DAVE] = {"cost_center": tagged}
    selection = select(fake, workspace_ids=[DAVE], tags={"cost_center": wanted})
    assert ids(selection.matched) == ([DAVE] if matched else [])
    expected_excluded = [] if matched else [(DAVE, f"its tag 'cost_center' is {tagged!r}, not {wanted!r}")]
    assert [(entry["WorkspaceId"], why) for entry, why in selection.excluded] == expected_excluded


@pytest.mark.parametrize("option", ["tags", "exclude_tags"])
@pytest.mark.parametrize(
    ("value", "read_as"),
    [
        pytest.param(4711, "int 4711", id="integer"),
        pytest.param(-3, "int -3", id="negative-integer"),
        pytest.param(34, "int 34", id="octal-0042-as-yaml-reads-it"),
    ],
)
def test_an_integer_tag_value_is_refused_before_any_call(fake: FakeWorkspacesClient, option: str, value: int, read_as: str) -> None:
    """Until 1.0.0 an integer matched its decimal string; YAML reads 0042 as 34 (octal), so which
    string was meant cannot be known: an integer is refused, with the message to quote it, and
    no call is made. (Rewritten: integers used to be accepted and compared as str(value).)"""
    params: dict[str, t.Any] = {option: {"cost_center": value}}
    if option == "exclude_tags":
        params["directory_id"] = DIRECTORY
    with pytest.raises(InvalidOptionError) as error:
        select(fake, **params)
    assert str(error.value) == f"{option} values must be strings: quote the value of 'cost_center' (read as {read_as})"
    assert fake.calls == []


def test_exclude_tags_alone_read_tags_and_leave_out_what_they_name(fake: FakeWorkspacesClient) -> None:
    """exclude_tags by filter: the WorkSpaces carrying the pair are simply not selected (nor
    reported as excluded); one DescribeTags per WorkSpace left by the other selectors."""
    selection = select(fake, directory_id=DIRECTORY, exclude_tags={"team": "finance"})
    assert ids(selection.matched) == [DAVE]
    assert selection.excluded == []
    assert tag_reads(fake) == [ALICE, BOB, DAVE]


@pytest.mark.parametrize(
    ("exclude_tags", "matched"),
    [
        pytest.param({"team": "hr"}, [ALICE, BOB, DAVE], id="one-pair"),
        pytest.param({"team": "finance", "env": "dev"}, [CAROL, DAVE], id="any-one-pair-excludes"),
        pytest.param({"env": "dev"}, EVERYONE, id="same-key-other-value-is-kept"),
        pytest.param({}, EVERYONE, id="empty-excludes-nothing-and-reads-no-tag"),
    ],
)
def test_exclude_tags_exclude_on_any_one_pair(fake: FakeWorkspacesClient, exclude_tags: dict[str, str], matched: list[str]) -> None:
    """A WorkSpace carrying any one of the pairs (key and value) is left out; another value of
    the same key is not; an empty exclude_tags costs no DescribeTags."""
    selection = select(fake, exclude_tags=exclude_tags)
    assert ids(selection.matched) == matched
    assert tag_reads(fake) == (EVERYONE if exclude_tags else [])


def test_every_page_is_read() -> None:
    """DescribeWorkspaces pages with NextToken; a directory of 23 at 10 a page takes 3 calls."""
    fake = FakeWorkspacesClient([workspace(ws_id(n)) for n in range(23)], page_size=10)
    selection = select(fake, directory_id=DIRECTORY)
    assert len(selection.matched) == 23
    assert fake.calls_of("DescribeWorkspaces") == [
        {"DirectoryId": DIRECTORY},
        {"DirectoryId": DIRECTORY, "NextToken": "page-10"},
        {"DirectoryId": DIRECTORY, "NextToken": "page-20"},
    ]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        pytest.param(
            {"workspace_ids": ["ws-abc12345", "bad-id", "ws-UPPER123"]},
            "malformed WorkSpace ids (not matching ^ws-[0-9a-z]{8,63}$): 'bad-id', 'ws-UPPER123'",
            id="ids",
        ),
        pytest.param({"directory_id": "d-xyz"}, "malformed directory_id: 'd-xyz'", id="directory"),
        pytest.param({"bundle_id": "bundle-1"}, "malformed bundle_id: 'bundle-1'", id="bundle"),
        pytest.param(
            {"workspace_ids": [" ws-abc12345", ""]},
            "malformed WorkSpace ids (not matching ^ws-[0-9a-z]{8,63}$): ' ws-abc12345', ''",
            id="ids-shown-with-repr-so-blanks-are-visible",
        ),
        pytest.param({"tags": {}}, "tags must name at least one tag", id="empty-tags"),
        pytest.param({"user_names": ["alice"]}, "user_names requires directory_id", id="user-names-alone"),
        pytest.param({"user_names": ["alice"], "bundle_id": BUNDLE}, "user_names requires directory_id", id="user-names-with-bundle"),
        pytest.param(
            {"workspace_ids": ["nope"], "tags": {}},
            "malformed WorkSpace ids (not matching ^ws-[0-9a-z]{8,63}$): 'nope'; tags must name at least one tag",
            id="every-problem-at-once",
        ),
        pytest.param(
            {"directory_id": DIRECTORY, "user_names": ["alice", "x" * 64]},
            f"user names must have 1 to 63 characters: {'x' * 64!r}",
            id="user-name-too-long",
        ),
        pytest.param({"directory_id": DIRECTORY, "user_names": [""]}, "user names must have 1 to 63 characters: ''", id="empty-user-name"),
        pytest.param(
            {"directory_id": DIRECTORY, "user_names": ["", "bob", "y" * 70]},
            f"user names must have 1 to 63 characters: '', {'y' * 70!r}",
            id="every-bad-user-name",
        ),
        pytest.param(
            {"directory_id": DIRECTORY, "user_names": ["alice"] + [f"user{n}" for n in range(25)] + ["z" * 64]},
            f"user names must have 1 to 63 characters: {'z' * 64!r}",
            id="user-name-too-long-among-more-than-25",
        ),
        pytest.param(
            {"user_names": [""]},
            "user_names requires directory_id; user names must have 1 to 63 characters: ''",
            id="user-names-alone-and-empty",
        ),
        pytest.param({"tags": {"managed": True}}, "tags values must be strings: quote the value of 'managed' (read as bool True)", id="true-tag-value"),
        pytest.param({"tags": {"managed": False}}, "tags values must be strings: quote the value of 'managed' (read as bool False)", id="false-tag-value"),
        pytest.param({"tags": {"ratio": 1.5}}, "tags values must be strings: quote the value of 'ratio' (read as float 1.5)", id="float-tag-value"),
        pytest.param({"tags": {"ratio": 1.0}}, "tags values must be strings: quote the value of 'ratio' (read as float 1.0)", id="whole-float-tag-value"),
        pytest.param({"tags": {"owner": None}}, "tags values must be strings: quote the value of 'owner' (read as NoneType None)", id="null-tag-value"),
        pytest.param(
            {"tags": {"cost_center": 4711}}, "tags values must be strings: quote the value of 'cost_center' (read as int 4711)", id="integer-tag-value"
        ),
        pytest.param(
            {"tags": {"managed": True, "team": "finance", "ratio": 1.5, "cost_center": 4711}},
            "tags values must be strings: quote the value of 'managed' (read as bool True), 'ratio' (read as float 1.5), 'cost_center' (read as int 4711)",
            id="every-ambiguous-tag-named",
        ),
        pytest.param(
            {"workspace_ids": ["nope"], "tags": {"managed": True}},
            "malformed WorkSpace ids (not matching ^ws-[0-9a-z]{8,63}$): 'nope'; tags values must be strings: quote the value of 'managed' (read as bool True)",
            id="ambiguous-tag-among-other-problems",
        ),
        pytest.param(
            {"directory_id": DIRECTORY, "exclude_tags": {"NoRebuild": True}},
            "exclude_tags values must be strings: quote the value of 'NoRebuild' (read as bool True)",
            id="exclude-tags-boolean-value",
        ),
        pytest.param(
            {"tags": {"team": 7}, "exclude_tags": {"NoRebuild": 1}},
            "tags values must be strings: quote the value of 'team' (read as int 7); "
            "exclude_tags values must be strings: quote the value of 'NoRebuild' (read as int 1)",
            id="both-tag-options-named",
        ),
    ],
)
def test_unusable_selectors_fail_before_any_call(fake: FakeWorkspacesClient, params: dict[str, t.Any], message: str) -> None:
    """Each unusable selector is named in one message, and AWS is not called at all."""
    with pytest.raises(InvalidOptionError) as error:
        select(fake, **params)
    assert str(error.value) == message
    assert fake.calls == []


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"workspace_ids": [ALICE + "\n"]}, id="workspace-id"),
        pytest.param({"directory_id": DIRECTORY + "\n"}, id="directory-id"),
        pytest.param({"bundle_id": BUNDLE + "\n"}, id="bundle-id"),
    ],
)
def test_an_id_with_a_trailing_newline_is_malformed(fake: FakeWorkspacesClient, params: dict[str, t.Any]) -> None:
    """The model's pattern must hold for the whole value: AWS refuses a trailing newline.

    Such values come from YAML block scalars and file lookups; they must fail like any
    other malformed id, before any call, not as a ValidationException from AWS.
    """
    with pytest.raises(InvalidOptionError, match="malformed"):
        select(fake, **params)
    assert fake.calls == []


@pytest.mark.parametrize("length", [1, 63])
def test_user_names_of_the_lengths_the_model_allows_are_asked_for(fake: FakeWorkspacesClient, length: int) -> None:
    """The shortest and the longest user name the model allows are sent as they are."""
    name = "u" * length
    assert select(fake, directory_id=DIRECTORY, user_names=[name]).matched == []
    assert fake.calls_of("DescribeWorkspaces") == [{"DirectoryId": DIRECTORY, "UserName": name}]


def test_is_empty_only_without_any_selector() -> None:
    """Only the absence of every selector means 'no selector'; an empty id list is a selector."""
    assert Selectors().is_empty
    assert not Selectors(workspace_ids=()).is_empty
    assert not Selectors(tags={"a": "b"}).is_empty


@pytest.mark.parametrize(
    ("operation", "message"),
    [("DescribeWorkspaces", "Failed to describe WorkSpaces"), ("DescribeTags", "Failed to describe WorkSpace tags")],
)
def test_api_errors_end_the_selection(fake: FakeWorkspacesClient, operation: str, message: str) -> None:
    """An API error during selection ends it as WorkspacesError, with AWS's code."""
    fake.errors[operation] = [access_denied(operation)]
    with pytest.raises(WorkspacesError) as error:
        select(fake, tags={"team": "finance"})
    assert error.value.message == message
    assert error.value.exception.response["Error"]["Code"] == "AccessDeniedException"


def test_throttled_describe_calls_are_retried(fake: FakeWorkspacesClient, retry_sleeps: list[float]) -> None:
    """Throttled DescribeWorkspaces calls are retried, each in the operation's next slot, and the selection completes."""
    fake.errors["DescribeWorkspaces"] = [throttled("DescribeWorkspaces"), throttled("DescribeWorkspaces")]
    assert ids(select(fake, directory_id=DIRECTORY).matched) == [ALICE, BOB, DAVE]
    assert len(fake.calls_of("DescribeWorkspaces")) == 3
    assert len(retry_sleeps) == 2


@pytest.mark.parametrize(
    ("params", "states", "matched", "tags_read"),
    [
        pytest.param({"tags": {"team": "finance"}}, {"ERROR"}, [BOB], [BOB], id="tags-in-one-state"),
        pytest.param({"tags": {"team": "finance"}}, {"AVAILABLE", "STOPPED"}, [ALICE], [ALICE, CAROL, DAVE], id="tags-in-two-states"),
        pytest.param({"tags": {"team": "finance"}}, None, [ALICE, BOB], EVERYONE, id="tags-in-any-state"),
        pytest.param({"tags": {"team": "finance"}}, {"SUSPENDED"}, [], [], id="no-workspace-in-that-state"),
        pytest.param({"tags": {"team": "finance"}}, set(), [], [], id="no-state-at-all"),
        pytest.param({"directory_id": DIRECTORY, "tags": {"team": "finance"}}, {"STOPPED", "ERROR"}, [BOB], [BOB, DAVE], id="directory-and-tags"),
        pytest.param({"directory_id": DIRECTORY}, {"STOPPED"}, [DAVE], [], id="without-tags"),
    ],
)
def test_states_drop_workspaces_before_their_tags_are_read(
    fake: FakeWorkspacesClient, params: dict[str, t.Any], states: set[str] | None, matched: list[str], tags_read: list[str]
) -> None:
    """states keeps the WorkSpaces in those states; the others cost no DescribeTags call."""
    selection = select(fake, states=states, **params)
    assert ids(selection.matched) == matched
    assert tag_reads(fake) == tags_read
    assert selection.excluded == []


def test_ids_named_in_another_state_are_dropped_not_missing(fake: FakeWorkspacesClient) -> None:
    """A WorkSpace named by id but in another state exists: it is neither missing nor excluded."""
    selection = select(fake, states={"ERROR"}, workspace_ids=[ALICE, BOB, UNKNOWN, DAVE])
    assert ids(selection.matched) == [BOB]
    assert selection.missing_ids == [UNKNOWN]
    assert selection.excluded == []
    assert fake.calls_of("DescribeWorkspaces") == [{"WorkspaceIds": [ALICE, BOB, UNKNOWN, DAVE]}]


@pytest.mark.parametrize(("states", "excluded"), [({"AVAILABLE"}, [CAROL]), ({"ERROR"}, [])])
def test_states_apply_before_the_other_selectors_exclude(fake: FakeWorkspacesClient, states: set[str], excluded: list[str]) -> None:
    """A named WorkSpace in another state is dropped silently, even when another selector rules it out."""
    selection = select(fake, states=states, workspace_ids=[CAROL, DAVE], directory_id=DIRECTORY, tags={"team": "hr"})
    assert selection.matched == []
    assert ids(entry for entry, _why in selection.excluded) == excluded
    assert tag_reads(fake) == []
