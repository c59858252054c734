# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Limits read from botocore's model, id checks and AWS error decoding."""

from __future__ import annotations

import pytest

from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import REBUILD
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.common import chunks
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.common import describe_batch_size
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.common import error_code
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.common import error_message
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.common import length_limits
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.common import malformed

from ....helpers.fake_workspaces import client_error
from ....helpers.fake_workspaces import connection_lost


def test_limits_come_from_the_service_model() -> None:
    """25 ids per DescribeWorkspaces call, one WorkSpace per RebuildWorkspaces call, user names of 1 to 63 characters."""
    assert describe_batch_size() == 25
    assert REBUILD.batch_size == 1
    assert length_limits("UserName") == (1, 63)


@pytest.mark.parametrize(
    ("values", "shape", "expected"),
    [
        pytest.param(["ws-abc12345", "ws-" + "a" * 63], "WorkspaceId", [], id="well-formed-ids"),
        pytest.param(
            ["ws-abc1234", "WS-ABC12345", "ws-ABC12345", "abc12345", "ws-" + "a" * 64],
            "WorkspaceId",
            ["ws-abc1234", "WS-ABC12345", "ws-ABC12345", "abc12345", "ws-" + "a" * 64],
            id="malformed-ids",
        ),
        pytest.param(["d-1234567890", "wsd-abcdefgh12"], "DirectoryId", [], id="directory-ids"),
        pytest.param(["d-123", "d-ghijklmnop", "directory"], "DirectoryId", ["d-123", "d-ghijklmnop", "directory"], id="malformed-directory-ids"),
        pytest.param(["wsb-0123456789", "wsb-12"], "BundleId", ["wsb-12"], id="bundle-ids"),
        pytest.param(
            ["ws-abc12345\n", "ws-abc12345\n\n", " ws-abc12345"], "WorkspaceId", ["ws-abc12345\n", "ws-abc12345\n\n", " ws-abc12345"], id="ids-with-whitespace"
        ),
        pytest.param(["d-1234567890\n", "wsd-abcdefgh12\n"], "DirectoryId", ["d-1234567890\n", "wsd-abcdefgh12\n"], id="directory-ids-with-a-newline"),
        pytest.param(["wsb-0123456789\n"], "BundleId", ["wsb-0123456789\n"], id="bundle-id-with-a-newline"),
    ],
)
def test_malformed_names_exactly_the_values_the_model_refuses(values: list[str], shape: str, expected: list[str]) -> None:
    """The model's patterns decide which ids, directory ids and bundle ids are malformed."""
    assert malformed(values, shape) == expected


@pytest.mark.parametrize(
    ("size", "expected"),
    [(0, []), (1, [1]), (25, [25]), (26, [25, 1]), (60, [25, 25, 10])],
)
def test_chunks_slices_in_order(size: int, expected: list[int]) -> None:
    """Batches of at most 25, in order, nothing lost or repeated."""
    items = list(range(size))
    batches = list(chunks(items, 25))
    assert [len(batch) for batch in batches] == expected
    assert [item for batch in batches for item in batch] == items


@pytest.mark.parametrize(
    ("exception", "code", "message"),
    [
        pytest.param(client_error("AccessDenied", "Not allowed"), "AccessDenied", "Not allowed", id="client-error"),
        pytest.param(client_error("Throttling", ""), "Throttling", "Throttling error", id="client-error-default-message"),
        pytest.param(connection_lost(), None, 'Could not connect to the endpoint URL: "https://workspaces.us-east-1.amazonaws.com/"', id="connection"),
        pytest.param(ValueError("boom"), None, "boom", id="plain-exception"),
    ],
)
def test_error_code_and_message(exception: BaseException, code: str | None, message: str) -> None:
    """AWS's code and message are read from a ClientError; other exceptions give their text."""
    assert error_code(exception) == code
    assert error_message(exception) == message
