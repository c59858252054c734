# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE: it is for the use of the euc.workspaces collection only
# and may change at any time without notice.

"""The glue between AnsibleAWSModule and the engine, so that a module's main() is a few lines.

It creates the client, runs the engine and turns its results and exceptions into
exit_json and fail_json, always carrying every WorkSpace's outcome.
"""

from __future__ import annotations

import traceback
import typing as t

try:
    from botocore.config import Config
except ImportError:
    pass  # AnsibleAWSModule reports a missing botocore.

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from .actions import ActionFailed
from .actions import ActionOptions
from .actions import ActionSpec
from .actions import action_argument_spec
from .actions import run_action
from .api import WorkspacesApi
from .common import SERVICE
from .common import InvalidOptionError
from .common import WorkspacesError
from .common import error_code
from .common import error_message
from .selection import selection_argument_spec

# botocore keeps 10 connections per client by default; more threads than that would
# open and drop connections on every call.
_DEFAULT_POOL_SIZE = 10

# botocore makes one attempt per call; the collection's own layer (retry.py) retries, so
# that retries do not multiply and a mutating call is never repeated without a fresh read.
# Standard mode, not adaptive: the run's pace (pace.py) is kept per operation by the
# collection, and botocore's client-wide rate limiter on top of it would slow every
# operation whenever one is throttled.
_ONE_ATTEMPT = {"mode": "standard", "total_max_attempts": 1}


def client_config(max_concurrency: int) -> Config:
    """The botocore configuration of a WorkSpaces client serving max_concurrency threads at once,
    one attempt per call."""
    return Config(max_pool_connections=max(_DEFAULT_POOL_SIZE, max_concurrency), retries=_ONE_ATTEMPT)


def workspaces_client(module: AnsibleAWSModule, max_concurrency: int) -> t.Any:
    """A WorkSpaces client for the module's run; aws_config, when the task gives it, is merged
    over client_config by amazon.aws."""
    return module.client(SERVICE, config=client_config(max_concurrency))


def workspaces_api(module: AnsibleAWSModule, max_concurrency: int) -> WorkspacesApi:
    """The run's API: its client sized for max_concurrency threads, and the batches of one
    read asked max_concurrency at a time."""
    return WorkspacesApi(workspaces_client(module, max_concurrency), max_concurrency=max_concurrency)


def action_module_main(spec: ActionSpec) -> t.NoReturn:
    """The whole main() of an action module: its options are the selection's and the action's."""
    module = AnsibleAWSModule(
        argument_spec={**selection_argument_spec(), **action_argument_spec(spec)},
        required_one_of=[["workspace_ids", "directory_id", "bundle_id", "tags"]],
        required_by={"user_names": "directory_id"},
        supports_check_mode=True,
    )
    run_action_module(module, spec)


def run_action_module(module: AnsibleAWSModule, spec: ActionSpec) -> t.NoReturn:
    """Run one action for an AnsibleAWSModule and exit with its report."""
    options = ActionOptions.from_params(module.params, module.check_mode)
    try:
        options.validate()
        report = run_action(workspaces_api(module, options.max_concurrency), spec, options)
    except InvalidOptionError as error:
        module.fail_json(msg=str(error), **_empty_result(spec))
    except ActionFailed as failure:
        fail_with(module, failure.report.as_result(module._diff), failure.message, failure.error)

    result = report.as_result(module._diff)
    if report.failed:
        module.fail_json(**result)
    module.exit_json(**result)


def _empty_result(spec: ActionSpec) -> dict[str, t.Any]:
    """The documented return values of a run that acted on nothing."""
    return {"changed": False, "workspaces": [], "failed_requests": [], spec.requested_outcome: []}


def fail_with(module: AnsibleAWSModule, result: dict[str, t.Any], message: str, error: WorkspacesError | None) -> t.NoReturn:
    """fail_json with every return value, a message of two sentences that cannot be misread
    (what stopped the run, then the outcomes), and the AWS error's details when there is one.

    Not fail_json_aws: it appends the exception's text after the whole message, where it
    would read as the fate of the WorkSpaces listed last.
    """
    summary = result.pop("msg", None)
    extra: dict[str, t.Any] = {}
    if error is not None:
        cause = error.exception
        if cause is not None:
            code = error_code(cause)
            detail = f"{code}: {error_message(cause)}" if code else error_message(cause)
            message = f"{message}: {error.message}: {detail}" if error.message else f"{message}: {detail}"
            response = getattr(cause, "response", None)
            if isinstance(response, dict):
                extra = camel_dict_to_snake_dict(response)
            extra["exception"] = "".join(traceback.format_exception(type(cause), cause, cause.__traceback__))
        else:
            message = f"{message}: {error}"
    message = message.rstrip(".")
    module.fail_json(msg=f"{message}. Outcomes: {summary}." if summary else f"{message}.", **extra, **result)
