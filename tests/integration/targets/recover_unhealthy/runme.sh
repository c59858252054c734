#!/usr/bin/env bash
# The recover_unhealthy runbook, run as an operator runs it: `ansible-playbook
# euc.workspaces.recover_unhealthy`, and through the one-line playbook an AWX job
# template needs (playbooks/awx_job.yml), with nothing but its workspaces_* variables
# and the AWS_* credentials. Each run's results come from the ansible.posix.json
# callback; a playbook of checks/ then asserts on them and on what the simulator saw
# (its call counts since the last reset, and the WorkSpaces' true states), on the
# simulator's built-in scenario "recovery" (its header lists the fleet).
#
# Arguments (from ansible-test): -v..., and -e @<file> with the AWS cloud config's
# credentials and region. ../../integration_config.yml names the simulator
# (workspaces_endpoint_url, workspaces_simulator_url), or says
# workspaces_real_account: true; against a real account only the runs that change
# nothing are made.
set -eux

# start_runs, playbook, check, seed, reset_calls, runbook, step.
# shellcheck source=../setup_simulator/files/runbook_runs.sh
source ../setup_simulator/files/runbook_runs.sh
start_runs recover_unhealthy

if [ "${SIMULATED}" = true ]; then
    seed recovery
fi

# Any account: without workspaces_acknowledge the runbook looks, plans and changes nothing
# (every directory of the region; the guard may stop a large account's plan).
step any_account any_account_looks_and_plans.yml euc.workspaces.recover_unhealthy -e '{"workspaces_max": 50}'

# Any account: a mistyped switch stops the run before it looks at anything.
reset_calls
step mistyped mistyped_switch.yml euc.workspaces.recover_unhealthy -e workspaces_reboot=nope

if [ "${SIMULATED}" != true ]; then
    exit 0
fi

# The simulated fleet: one directory; a restore or a rebuild takes 3 real seconds, polled
# every second at most, with two minutes for each step.
fleet=(-e '{"workspaces_directory_id": "d-0a0b0c0d20", "workspaces_wait_delay": 1, "workspaces_wait_timeout": 120}')
# The AWX job template's playbook, on the simulated fleet.
job=(playbooks/awx_job.yml "${fleet[@]}")
every_step=(-e workspaces_restore=true -e workspaces_rebuild=yes)
change=(-e '{"workspaces_acknowledge": true, "workspaces_idempotency_token": "CHG0001"}')

# (a) Without acknowledge, every step on (the runbook by its name): each step plans and
# shows its plan; nothing is changed.
seed recovery
step looked without_acknowledge.yml euc.workspaces.recover_unhealthy "${fleet[@]}" "${every_step[@]}"

# Acknowledged, in check mode (--check): the plans only.
reset_calls
step acknowledged_check acknowledged_in_check_mode.yml "${job[@]}" "${every_step[@]}" "${change[@]}" --check

# (b) Acknowledged, every step on: each WorkSpace is fixed by the cheapest step that can;
# the doomed ones fail the run.
reset_calls
step all_steps all_steps_fix_the_cheapest_way.yml "${job[@]}" "${every_step[@]}" "${change[@]}"

# (d) The relaunch with the same token repeats no step.
reset_calls
step relaunch relaunch_repeats_nothing.yml "${job[@]}" "${every_step[@]}" "${change[@]}"

# (c) Acknowledged, the default steps (start and reboot): the restore and rebuild
# candidates stay broken, and the report says so.
seed recovery
step defaults defaults_leave_restore_and_rebuild.yml "${job[@]}" -e workspaces_acknowledge=true

# A caller error (every RestoreWorkspace refused with AccessDeniedException) stops the
# escalation at the restore: no rebuild is planned or made.
seed recovery
playbook playbooks/set_faults.yml -e '{"faults": {"RestoreWorkspace": {"access_denied": true}}}'
step denied caller_error_stops_the_escalation.yml "${job[@]}" "${every_step[@]}" -e workspaces_acknowledge=true

# A RebootWorkspaces outage: each reboot may have reached AWS (unknown), so no later step
# is given those WorkSpaces; the escalation goes on for the others.
seed recovery
playbook playbooks/set_faults.yml -e '{"faults": {"RebootWorkspaces": {"server_errors": {"rate": 1.0, "status": 503}}}}'
step reboot_unknown unknown_goes_no_further.yml "${job[@]}" "${every_step[@]}" -e workspaces_acknowledge=true

# Every step on, the doomed ones excluded by their tag: the run succeeds.
seed recovery
step no_doomed without_the_doomed_the_run_succeeds.yml "${job[@]}" "${every_step[@]}" \
    -e '{"workspaces_acknowledge": true, "workspaces_exclude_tags": {"Note": "never-recovers"}}'
