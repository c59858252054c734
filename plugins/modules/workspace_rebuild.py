#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: workspace_rebuild
short_description: Rebuild Amazon WorkSpaces safely
version_added: 1.0.0
description:
  - Finds the WorkSpaces named or selected, checks each one's state, and asks AWS to rebuild
    those in one of O(states), one C(RebuildWorkspaces) call per WorkSpace.
  - Optionally waits until each rebuild has finished.
  - Every WorkSpace named or selected appears in RV(workspaces) with its outcome, whether the
    task succeeds or fails.
  - B(A rebuild is destructive.) AWS recreates the root volume from the bundle image, restores
    the user volume from its latest snapshot (taken about every 12 hours, so up to 12 hours of
    the user's data can be lost) and gives the WorkSpace a new private IP address.
    Use M(euc.workspaces.workspace_info) with O(euc.workspaces.workspace_info#module:include_snapshots=true)
    to see each WorkSpace's latest rebuild snapshot first, and run the task in check mode.
author:
  - euc.workspaces maintainers (@euc-collections)
options:
  states:
    description:
      - Rebuild only the WorkSpaces currently in one of these states.
      - A WorkSpace selected by a filter whose state AWS does not allow a rebuild from is
        skipped. One named in O(workspace_ids) fails with error code V(InvalidWorkspaceState).
      - A WorkSpace already V(REBUILDING) is not asked again; its outcome is V(in_progress).
    type: list
    elements: str
    choices: [AVAILABLE, ERROR, UNHEALTHY, STOPPED, REBOOTING]
    default: [AVAILABLE, ERROR, UNHEALTHY, STOPPED, REBOOTING]
extends_documentation_fragment:
  - euc.workspaces.selection
  - euc.workspaces.action
  - euc.workspaces.wait
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    description: Can run in check mode and return the changed status prediction without modifying the target.
    support: full
    details: Only C(DescribeWorkspaces) and, for O(tags), C(DescribeTags) are called.
  diff_mode:
    description: Returns the state of each WorkSpace before and after, when in diff mode.
    support: full
  idempotent:
    description: When run twice with the same options, the second run reports no change.
    support: partial
    details:
      - A rebuild is an action, not a desired state; a WorkSpace that is V(AVAILABLE) again
        after a rebuild can be rebuilt again.
      - Narrow O(states) (for example to V(ERROR) and V(UNHEALTHY)) to make a re-run change
        nothing once the rebuilds succeeded.
  action_group:
    description: Use C(group/euc.workspaces.workspaces) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - euc.workspaces.workspaces
notes:
  - At least one of O(workspace_ids), O(directory_id), O(bundle_id) or O(tags) is required.
  - Outcomes are V(rebuild_requested), V(rebuilt), V(in_progress), V(skipped) and V(failed).
    The task fails when any WorkSpace's outcome is V(failed); it reports a change when a
    rebuild was requested (or would be, in check mode).
  - Throttled and transiently failing calls are retried with jittered backoff. A credential
    or permission error, or a lost connection, stops the run; the rebuilds already requested
    are listed in RV(rebuild_requested).
seealso:
  - module: euc.workspaces.workspace_info
  - name: Rebuild a WorkSpace
    description: What a rebuild does to a WorkSpace.
    link: https://docs.aws.amazon.com/workspaces/latest/adminguide/rebuild-workspace.html
  - name: RebuildWorkspaces API
    description: The API call this module makes.
    link: https://docs.aws.amazon.com/workspaces/latest/api/API_RebuildWorkspaces.html
"""

EXAMPLES = r"""
- name: See what would be rebuilt (check mode changes nothing)
  euc.workspaces.workspace_rebuild:
    directory_id: d-1234567890
    states: [ERROR, UNHEALTHY]
  check_mode: true
  register: planned

- name: Rebuild the broken WorkSpaces of a directory and wait for them
  euc.workspaces.workspace_rebuild:
    directory_id: d-1234567890
    states: [ERROR, UNHEALTHY]
    max_workspaces: 25
    wait: true
    wait_timeout: 5400
  register: rebuilt

- name: Rebuild two WorkSpaces by id
  euc.workspaces.workspace_rebuild:
    workspace_ids:
      - ws-abc12345
      - ws-def67890

- name: Rebuild the finance team's desktops on one bundle
  euc.workspaces.workspace_rebuild:
    bundle_id: wsb-0123456789
    tags:
      team: finance
    max_workspaces: 50
    max_concurrency: 10

- name: Show the WorkSpaces that could not be rebuilt
  ansible.builtin.debug:
    msg: "{{ item.workspace_id }}: {{ item.error_code }} {{ item.error_message }}"
  loop: "{{ rebuilt.failed_requests }}"
"""

RETURN = r"""
msg:
  description: One line with the number of WorkSpaces of each outcome.
  returned: always
  type: str
  sample: "3 WorkSpaces: 1 failed, 2 rebuilt"
workspaces:
  description: One entry per WorkSpace named or selected, sorted by WorkSpace id.
  returned: always
  type: list
  elements: dict
  contains:
    workspace_id:
      description: The WorkSpace's id.
      type: str
      returned: always
      sample: ws-abc12345
    directory_id:
      description: Its directory; null for an id that was not found.
      type: str
      returned: always
      sample: d-1234567890
    user_name:
      description: Its user; null for an id that was not found.
      type: str
      returned: always
      sample: alice
    computer_name:
      description: Its computer name; null for an id that was not found.
      type: str
      returned: always
      sample: WSAMZN-ABC123
    bundle_id:
      description: Its bundle; null for an id that was not found.
      type: str
      returned: always
      sample: wsb-0123456789
    state:
      description: Its state when the task began.
      type: str
      returned: always
      sample: ERROR
    final_state:
      description: The last state seen; with O(wait), the state it ended in.
      type: str
      returned: always
      sample: AVAILABLE
    outcome:
      description:
        - V(rebuild_requested) - AWS accepted the rebuild (or would, in check mode).
        - V(rebuilt) - with O(wait), the WorkSpace went through V(REBUILDING) to V(AVAILABLE).
        - V(in_progress) - it was already V(REBUILDING); it was not asked again.
        - V(skipped) - not acted on; RV(workspaces[].reason) says why.
        - V(failed) - RV(workspaces[].error_code) and RV(workspaces[].error_message) say why.
      type: str
      returned: always
      sample: rebuilt
    error_code:
      description:
        - With V(failed), the error code, exactly as AWS gave it in C(FailedRequests) or an
          exception, or one of the module's own codes V(WorkspaceNotFound),
          V(InvalidWorkspaceState), V(RebuildFailed) and V(WaitTimeout).
      type: str
      returned: when the outcome is failed
      sample: InvalidResourceState.Workspace
    error_message:
      description: With V(failed), the error message, exactly as AWS gave it, or the module's own.
      type: str
      returned: when the outcome is failed
      sample: The WorkSpace is not in a valid state for this operation.
    reason:
      description:
        - With V(skipped), why.
        - With V(rebuild_requested) or V(rebuilt), when the rebuild call reported an error but the
          WorkSpace was V(REBUILDING) right after (an answer lost on the way back, then a retry
          refused because the first attempt had been accepted), that error.
      type: str
      returned: when the outcome is skipped, and when a rebuild was taken as accepted despite an error
      sample: state AVAILABLE is not in states (ERROR, UNHEALTHY)
failed_requests:
  description:
    - One entry per WorkSpace whose outcome is V(failed). AWS's C(FailedRequests) entries
      appear verbatim, with snake_cased keys.
  returned: always
  type: list
  elements: dict
  contains:
    workspace_id:
      description: The WorkSpace's id.
      type: str
      returned: always
    error_code:
      description: The error code.
      type: str
      returned: always
    error_message:
      description: The error message.
      type: str
      returned: always
  sample:
    - workspace_id: ws-abc12345
      error_code: OperationNotSupportedException
      error_message: The operation is not supported for this WorkSpace.
rebuild_requested:
  description: The ids of the WorkSpaces whose rebuild AWS accepted (would accept, in check mode).
  returned: always
  type: list
  elements: str
  sample: [ws-abc12345]
diff:
  description: In diff mode, the state of each WorkSpace a rebuild was requested for, before and after.
  returned: when diff mode is on
  type: dict
  sample:
    before:
      ws-abc12345: ERROR
    after:
      ws-abc12345: AVAILABLE
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import REBUILD
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import action_argument_spec
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.module_runner import run_action_module
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.selection import selection_argument_spec


def main() -> None:
    module = AnsibleAWSModule(
        argument_spec={**selection_argument_spec(), **action_argument_spec(REBUILD)},
        required_one_of=[["workspace_ids", "directory_id", "bundle_id", "tags"]],
        required_by={"user_names": "directory_id"},
        supports_check_mode=True,
    )
    run_action_module(module, REBUILD)


if __name__ == "__main__":
    main()
