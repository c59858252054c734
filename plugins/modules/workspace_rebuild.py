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
  - Right before each request it reads the WorkSpace's state (and, with O(skip_connected), its
    user's connection state) again when the last read is older than 5 seconds, so a plan made
    minutes earlier (throttling can stretch a run) never rebuilds a WorkSpace that has since
    left O(states) or whose user has since connected.
  - By default only broken WorkSpaces (V(ERROR), V(UNHEALTHY)) are rebuilt, never one whose user
    is connected or that has no rebuild snapshot, so running a task again changes nothing.
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
      - Rebuild only the WorkSpaces in one of these states, when selected and again right
        before the request.
      - Rebuilding a healthy WorkSpace (V(AVAILABLE), V(STOPPED), V(REBOOTING)) is opt-in; name
        those states to do it.
      - A WorkSpace selected by a filter whose state AWS does not allow a rebuild from is
        skipped. One named in O(workspace_ids) fails with error code V(InvalidWorkspaceState).
      - A WorkSpace already V(REBUILDING) is not asked again; its outcome is V(in_progress).
    type: list
    elements: str
    choices: [AVAILABLE, ERROR, UNHEALTHY, STOPPED, REBOOTING]
    default: [ERROR, UNHEALTHY]
  max_workspaces:
    description:
      - The most WorkSpaces one run may act on; with more, the task fails before any change (see
        the notes).
    type: int
    default: 10
extends_documentation_fragment:
  - euc.workspaces.selection
  - euc.workspaces.action
  - euc.workspaces.attributes
  - euc.workspaces.action.skip_connected
  - euc.workspaces.action.require_snapshot
  - euc.workspaces.wait
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  idempotent:
    description: When run twice with the same options, the second run reports no change.
    support: full
    details:
      - With the default O(states), a WorkSpace rebuilt by the first run is V(AVAILABLE) (or
        V(REBUILDING)) for the second, which skips it (or reports it V(in_progress)).
      - When O(states) names V(AVAILABLE), a re-run rebuilds again, unless both runs share an
        O(idempotency_token).
notes:
  - Outcomes are V(rebuild_requested), V(rebuilt), V(in_progress), V(skipped), V(failed) and
    V(unknown).
seealso:
  - module: euc.workspaces.workspace_info
  - module: euc.workspaces.workspace_restore
  - ref: ansible_collections.euc.workspaces.docsite.guide_recover
    description: Recovering WorkSpaces - the escalation from start to rebuild, and what each step costs the user.
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

- name: Rebuild two WorkSpaces by id, healthy or not, even without a snapshot
  euc.workspaces.workspace_rebuild:
    workspace_ids:
      - ws-abc12345
      - ws-def67890
    states: [AVAILABLE, ERROR, UNHEALTHY, STOPPED]
    require_snapshot: false

- name: Rebuild the broken WorkSpaces of an incident; an AWX relaunch never rebuilds twice
  euc.workspaces.workspace_rebuild:
    directory_id: d-1234567890
    idempotency_token: INC0012345
    exclude_tags:
      NoRebuild: "true"
    wait: true

- name: Rebuild the finance team's desktops on one bundle
  euc.workspaces.workspace_rebuild:
    bundle_id: wsb-0123456789
    tags:
      team: finance
    states: [ERROR, UNHEALTHY, STOPPED]
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
    running_mode:
      description: Its running mode (V(AUTO_STOP), V(ALWAYS_ON) or V(MANUAL)); null for an id that was not found.
      type: str
      returned: always
      sample: AUTO_STOP
    snapshot_time:
      description:
        - The time of its latest rebuild snapshot (ISO 8601), from which its user volume is
          restored; null when it has none. Read only for the WorkSpaces to be rebuilt; null for
          the others.
      type: str
      returned: always
      sample: "2026-11-28T02:00:00+00:00"
    connection_state:
      description:
        - Its user's connection state (V(CONNECTED), V(DISCONNECTED) or V(UNKNOWN)), read right
          before its request; null when it was not read (O(skip_connected=false), or not to be rebuilt).
      type: str
      returned: always
      sample: DISCONNECTED
    state:
      description: Its state when the task began.
      type: str
      returned: always
      sample: ERROR
    final_state:
      description: The last state read; with O(wait), the state it ended in.
      type: str
      returned: always
      sample: AVAILABLE
    outcome:
      description:
        - V(rebuild_requested) - AWS accepted the rebuild (or would, in check mode).
        - V(rebuilt) - with O(wait), the WorkSpace went through V(REBUILDING) to V(AVAILABLE).
        - V(in_progress) - it was already V(REBUILDING); it was not asked again.
        - V(in_progress) also for a WorkSpace found V(REBUILDING) right before its request. With
          O(wait), a WorkSpace found V(REBUILDING) that then becomes V(AVAILABLE) is V(rebuilt),
          without counting as a change.
        - V(skipped) - not acted on; RV(workspaces[].reason) says why (state, connected user, no
          snapshot, O(exclude_tags), O(idempotency_token), the outage bound, ...).
        - V(failed) - RV(workspaces[].error_code) and RV(workspaces[].error_message) say why.
        - V(unknown) - the request may have been accepted (its answer was lost), but the WorkSpace
          showed no sign of it; check it before running again. Counts as a change and fails the task.
      type: str
      returned: always
      sample: rebuilt
    error_code:
      description:
        - With V(failed), the error code, exactly as AWS gave it in C(FailedRequests) or an
          exception, or one of the module's own codes V(WorkspaceNotFound),
          V(InvalidWorkspaceState), V(RebuildFailed) and V(WaitTimeout).
        - V(RebuildFailed) when the WorkSpace ended in V(ERROR) or V(UNHEALTHY) (its
          RV(workspaces[].error_message) then carries the C(ErrorCode) and C(ErrorMessage) that
          C(DescribeWorkspaces) gives), or became V(STOPPED), V(SUSPENDED), V(TERMINATED), ... while waited on.
        - With V(unknown), the code of the last error of its request.
      type: str
      returned: when the outcome is failed or unknown
      sample: InvalidResourceState.Workspace
    error_message:
      description: With V(failed) or V(unknown), the error message, exactly as AWS gave it, or the module's own.
      type: str
      returned: when the outcome is failed or unknown
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
    - One entry per WorkSpace whose outcome is V(failed) or V(unknown). AWS's C(FailedRequests)
      entries appear verbatim, with snake_cased keys.
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

from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.actions import REBUILD
from ansible_collections.euc.workspaces.plugins.module_utils._workspaces.module_runner import action_module_main


def main() -> None:
    action_module_main(REBUILD)


if __name__ == "__main__":
    main()
