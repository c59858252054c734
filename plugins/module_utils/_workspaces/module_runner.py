# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE: it is for the use of the euc.workspaces collection only
# and may change at any time without notice.

"""The glue between AnsibleAWSModule and the engine, so that a module's main() is a few lines.

It creates the client, runs the engine and turns its results and exceptions into
exit_json, fail_json and fail_json_aws, always carrying every WorkSpace's outcome.
"""

from __future__ import annotations

import typing as t

try:
    from botocore.config import Config
except ImportError:
    pass  # AnsibleAWSModule reports a missing botocore.

if t.TYPE_CHECKING:
    from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from .actions import ActionFailed
from .actions import ActionOptions
from .actions import ActionSpec
from .actions import run_action
from .common import SERVICE
from .common import InvalidOptionError
from .common import WorkspacesError

# botocore keeps 10 connections per client by default; more threads than that would
# open and drop connections on every call.
_DEFAULT_POOL_SIZE = 10


def workspaces_client(module: AnsibleAWSModule, max_concurrency: int) -> t.Any:
    """A WorkSpaces client able to serve max_concurrency threads at once."""
    pool_size = max(_DEFAULT_POOL_SIZE, max_concurrency)
    return module.client(SERVICE, config=Config(max_pool_connections=pool_size))


def run_action_module(module: AnsibleAWSModule, spec: ActionSpec) -> t.NoReturn:
    """Run one action for an AnsibleAWSModule and exit with its report."""
    options = ActionOptions.from_params(module.params, module.check_mode)
    try:
        options.validate()
        report = run_action(workspaces_client(module, options.max_concurrency), spec, options)
    except InvalidOptionError as error:
        module.fail_json(msg=str(error))
    except ActionFailed as failure:
        result = failure.report.as_result(module._diff)
        result["msg"] = f"{failure.message}. {result['msg']}"
        fail_with(module, result, failure.error)
    except WorkspacesError as error:
        module.fail_json_aws_error(error)

    result = report.as_result(module._diff)
    if report.failed:
        module.fail_json(**result)
    module.exit_json(**result)


def fail_with(module: AnsibleAWSModule, result: dict[str, t.Any], error: WorkspacesError | None) -> t.NoReturn:
    """fail_json with the result, and with the AWS error's details when there is one."""
    if error is not None and error.exception is not None:
        message = result.pop("msg")
        module.fail_json_aws(error.exception, msg=message, **result)
    module.fail_json(**result)
