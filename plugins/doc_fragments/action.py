# -*- coding: utf-8 -*-

# Copyright: Contributors to the euc.workspaces project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the action modules (rebuild, reboot, restore, start, stop) share in their documentation.

Each module documents its own states, max_workspaces default and idempotency; the rest
is the one engine's behaviour, documented once here.
"""

from __future__ import annotations


class ModuleDocFragment:
    """Action options, notes and attributes."""

    DOCUMENTATION = r"""
options:
  max_concurrency:
    description:
      - How many API calls the task may have in flight at once, counting the action's requests,
        the per-WorkSpace reads (C(DescribeWorkspaceSnapshots), C(DescribeTags)) and the reads of
        25 WorkSpaces a call (C(DescribeWorkspaces) by ids, as when waiting, and
        C(DescribeWorkspacesConnectionStatus)). The pages of a directory's WorkSpaces are read
        one after the other, as each page names the next.
      - The threads of the task share one pace per API operation, as AWS throttles each
        operation on its own. Once AWS throttles an operation, every call of it waits for its
        slot at the rate the account lets through, learned from the answers (cut to 0.9 of the
        rate AWS accepted in the last second, then grown back as botocore's adaptive retry
        mode does), so a higher value does not flood a throttled account, and a throttled
        action does not slow the reads. A throttled call is retried in its next slot rather
        than after a backoff of its own.
      - At a round trip of 50 ms, the default keeps a fleet of hundreds within its ideal time,
        over 5 times faster than one call after another. Lower it to leave room in the
        account's rate to other tools that run at the same time.
    type: int
    default: 20
  idempotency_token:
    description:
      - Makes a run safe to launch again, for example an AWX job relaunched after a crash. A run
        with the same token never requests the action again for a WorkSpace that an earlier run
        with that token requested it for. Such WorkSpaces are V(skipped), with a reason naming
        O(idempotency_token), in check mode too.
      - Use a value that names the operation, such as the incident or change number. 1 to 128
        letters, digits, spaces and C(_.:/=+-@) characters.
      - The marker is a tag named after the action, C(euc.workspaces:rebuild-token),
        C(euc.workspaces:reboot-token), C(euc.workspaces:restore-token),
        C(euc.workspaces:start-token) or C(euc.workspaces:stop-token), with the token as its value.
        It is written with C(CreateTags) right before the request, so a run that dies after its
        request leaves it in place, and removed with C(DeleteTags) when AWS did not take the
        request, so it never blocks a retry. It costs one C(DescribeTags) call per WorkSpace to be
        acted on and needs the C(workspaces:CreateTags), C(workspaces:DeleteTags) and
        C(workspaces:DescribeTags) permissions.
      - A WorkSpace whose run died between writing the marker and sending the request is skipped
        too (never two requests is the promise), and its reason says to check it.
    type: str
notes:
  - The O(max_workspaces) guard. When more WorkSpaces would be acted on than it allows, the task
    fails before any change, saying how many matched, and every WorkSpace is in RV(workspaces),
    V(skipped). They are counted after the state, O(exclude_tags) and O(idempotency_token) checks,
    before the snapshot and connection checks, so that a selector matching thousands is refused
    before one call per WorkSpace is made.
  - At least one of O(workspace_ids), O(directory_id), O(bundle_id) or O(tags) is required.
  - The task fails when any WorkSpace's outcome is V(failed) or V(unknown); it reports a change
    when the action was requested (or would be, in check mode), or may have been (V(unknown)).
  - botocore makes one attempt per call; the collection retries, throttled calls in the next
    slot of their operation's pace (at its slowest, half a call a second), other errors with
    jittered backoff (1 s, doubling, at most 8 s). A call gives up after 7 server or connection
    errors (about 20 s), or after 32 throttled attempts, whichever comes first, and the outage
    bound below may stop it sooner. An action call that failed with a server error or a lost connection may have been
    accepted, so it is only sent again when a fresh read shows the WorkSpace unchanged, and a
    WorkSpace seen in the action's transitional state after it counts as accepted. One that shows
    no sign of acceptance within 20 seconds ends as V(unknown); check it before running again.
  - The outage bound. Once 6 calls in a row have failed with a server or connection error, or
    calls have kept failing (throttling included) for 60 seconds without one success, no new
    request is sent. The WorkSpaces not yet requested are V(skipped) with that reason, and the
    task fails with a message saying how many attempts failed and for how long.
  - Leave C(retries) out of O(aws_config). With botocore's own retries on, an action call whose
    answer was lost would be sent again without the fresh read that tells whether AWS already took it.
  - A credential or permission error stops the run; the requests already accepted are listed in
    the module's C(<action>_requested) return value.
  - A WorkSpace in V(ADMIN_MAINTENANCE) responds to no action; it is V(skipped), with a reason
    saying so, even when named in O(workspace_ids).
attributes:
  check_mode:
    description: Can run in check mode and return the changed status prediction without modifying the target.
    support: full
    details:
      - Only read calls are made (C(DescribeWorkspaces), C(DescribeTags), C(DescribeWorkspaceSnapshots),
        C(DescribeWorkspacesConnectionStatus)); the outcomes are those a real run would start with.
  diff_mode:
    description: Returns the state of each WorkSpace before and after, when in diff mode.
    support: full
"""

    # For the actions that interrupt a connected user's session (all but start).
    SKIP_CONNECTED = r"""
options:
  skip_connected:
    description:
      - Do not act on a WorkSpace whose user is connected (C(ConnectionState) V(CONNECTED) in
        C(DescribeWorkspacesConnectionStatus), read at most 5 seconds before its request, one call
        per 25 WorkSpaces). Its outcome is V(skipped), with a reason saying the user is connected.
      - Set to V(false) to act on it anyway; the user is disconnected and loses unsaved work.
    type: bool
    default: true
"""

    # For the actions that recreate volumes from a snapshot (rebuild and restore).
    REQUIRE_SNAPSHOT = r"""
options:
  require_snapshot:
    description:
      - Do not act on a WorkSpace that has no snapshot to recreate its volumes from
        (C(DescribeWorkspaceSnapshots), one call per WorkSpace to be acted on; a rebuild restores
        the user volume from C(RebuildSnapshots), a restore both volumes from C(RestoreSnapshots)).
        Its outcome is V(skipped), with a reason saying so.
      - The time of the latest such snapshot of every WorkSpace to be acted on is returned in
        RV(workspaces[].snapshot_time), in check mode as in a real run.
      - Set to V(false) to act on such WorkSpaces anyway; what their volumes held is lost.
    type: bool
    default: true
"""
