# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE: it is for the use of the euc.workspaces collection only
# and may change at any time without notice.

"""Facts about the WorkSpaces API shared by every other part of the package.

Identifier patterns and request limits are read from botocore's service model rather
than copied here, so they follow AWS when botocore is upgraded.
"""

from __future__ import annotations

import functools
import re
import typing as t

try:
    import botocore.session
except ImportError:
    pass  # The modules report a missing botocore through AnsibleAWSModule.

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

SERVICE = "workspaces"

# Every state DescribeWorkspaces can report, in the order of the API reference.
ALL_STATES = (
    "PENDING",
    "AVAILABLE",
    "IMPAIRED",
    "UNHEALTHY",
    "REBOOTING",
    "STARTING",
    "REBUILDING",
    "RESTORING",
    "MAINTENANCE",
    "ADMIN_MAINTENANCE",
    "TERMINATING",
    "TERMINATED",
    "SUSPENDED",
    "UPDATING",
    "STOPPING",
    "STOPPED",
    "ERROR",
)

# Error codes that mean the caller itself is not allowed to act: carrying on with the
# other WorkSpaces would only repeat the same refusal, so they stop the whole task.
CALLER_ERROR_CODES = frozenset(
    (
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "ExpiredToken",
        "ExpiredTokenException",
        "MissingAuthenticationToken",
        "AuthFailure",
    )
)


class WorkspacesError(AnsibleAWSError):
    """An API call failed in a way that ends the task."""


class WorkspacesErrorHandler(AWSErrorHandler):
    """amazon.aws's error handler, raising WorkspacesError."""

    _CUSTOM_EXCEPTION = WorkspacesError

    @classmethod
    def _is_missing(cls) -> type[Exception]:
        return is_boto3_error_code("ResourceNotFoundException")


class InvalidOptionError(ValueError):
    """The task's options are unusable; raised before any API call."""


@functools.lru_cache(maxsize=None)
def _service_model() -> t.Any:
    return botocore.session.get_session().get_service_model(SERVICE)


def shape_pattern(shape_name: str) -> re.Pattern[str]:
    """The regular expression botocore's model gives for a string shape."""
    return re.compile(_service_model().shape_for(shape_name).metadata["pattern"])


def max_items(shape_name: str) -> int:
    """How many members a list shape may hold in one request."""
    return int(_service_model().shape_for(shape_name).metadata["max"])


def length_limits(shape_name: str) -> tuple[int, int]:
    """The min and max length botocore's model gives for a string shape."""
    metadata = _service_model().shape_for(shape_name).metadata
    return int(metadata.get("min", 0)), int(metadata["max"])


@functools.lru_cache(maxsize=None)
def offered_regions() -> frozenset[str]:
    """The regions of every partition where botocore's endpoint data has WorkSpaces."""
    session = botocore.session.get_session()
    return frozenset(
        region for partition in session.get_available_partitions() for region in session.get_available_regions(SERVICE, partition)
    )


# The modules' default max_concurrency: calls in flight at once. At a round trip of 50 ms,
# 20 calls at once keep a 500-WorkSpace rebuild within its ideal time (the start-up, the
# pages one after the other, the rest 20 at a time) and over 5 times faster than one call
# after another (tests/benchmarks/fleet_throughput.py); the run's pace keeps a throttled
# account's rate, whatever the number of threads (pace.py).
DEFAULT_MAX_CONCURRENCY = 20


def describe_batch_size() -> int:
    """DescribeWorkspaces and DescribeWorkspacesConnectionStatus take this many ids (25)."""
    return max_items("WorkspaceIdList")


def malformed(values: t.Iterable[str], shape_name: str) -> list[str]:
    """The values that do not match the model's pattern for shape_name."""
    pattern = shape_pattern(shape_name)
    return [value for value in values if not pattern.fullmatch(value)]


def chunks(items: t.Sequence[t.Any], size: int) -> t.Iterator[t.Sequence[t.Any]]:
    """Consecutive slices of at most size items."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def error_code(exception: BaseException) -> str | None:
    """The AWS error code of a botocore ClientError, else None."""
    response = getattr(exception, "response", None)
    if isinstance(response, dict):
        return response.get("Error", {}).get("Code")
    return None


def error_name(exception: BaseException) -> str:
    """The AWS error code, or the exception's class name (ConnectionClosedError) when it has none."""
    return error_code(exception) or type(exception).__name__


def error_message(exception: BaseException) -> str:
    """The AWS error message of a botocore ClientError, else the exception's text."""
    response = getattr(exception, "response", None)
    if isinstance(response, dict) and response.get("Error", {}).get("Message"):
        return response["Error"]["Message"]
    return str(exception)
