#!/usr/bin/env bash
# The rebuild_unhealthy runbook, run as an operator runs it: `ansible-playbook
# euc.workspaces.rebuild_unhealthy`, and through the one-line playbook an AWX job
# template needs (playbooks/awx_job.yml), with nothing but its workspaces_* variables
# and the AWS_* credentials. Each run's results come from the ansible.posix.json
# callback; a playbook of checks/ then asserts on them and on what the simulator saw
# (its call counts since the last reset, and the WorkSpaces' true states).
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
start_runs rebuild_unhealthy

if [ "${SIMULATED}" = true ]; then
    seed runbook
fi

# Any account: without workspaces_acknowledge the runbook looks, plans and changes nothing
# (every directory of the region; the guard may stop a large account's plan).
step any_account any_account_looks_and_plans.yml euc.workspaces.rebuild_unhealthy -e '{"workspaces_max": 50}'

# Any account: a mistyped acknowledge stops the run before it looks at anything.
reset_calls
step mistyped mistyped_acknowledge.yml euc.workspaces.rebuild_unhealthy -e workspaces_acknowledge=ture

if [ "${SIMULATED}" != true ]; then
    exit 0
fi

# The simulated fleet: one directory, the held WorkSpace excluded by its tag; rebuilds take
# 2 real seconds, polled every second at most, with two minutes to finish.
fleet=(-e '{"workspaces_directory_id": "d-0a0b0c0d10", "workspaces_exclude_tags": {"Maintenance": "hold"}, "workspaces_wait_delay": 1, "workspaces_wait_timeout": 120}')
# The AWX job template's playbook, on the simulated fleet.
job=(playbooks/awx_job.yml "${fleet[@]}")
change=(-e '{"workspaces_acknowledge": true, "workspaces_idempotency_token": "CHG0001"}')
incident=(-e '{"workspaces_acknowledge": true, "workspaces_idempotency_token": "INC0042"}')

# Without acknowledge (the runbook by its name): it looks, plans, shows the plan and
# changes nothing.
seed runbook
step looked without_acknowledge.yml euc.workspaces.rebuild_unhealthy "${fleet[@]}"

# Acknowledged, in check mode (--check): the rebuild is planned, not made.
seed runbook
step acknowledged_check acknowledged_in_check_mode.yml "${job[@]}" "${change[@]}" --check

# Acknowledged: the broken, disconnected, snapshotted ones are rebuilt once; the same run
# again changes nothing.
reset_calls
step acknowledged acknowledged_rebuilds_once.yml "${job[@]}" "${change[@]}"
reset_calls
step acknowledged_again acknowledged_again_changes_nothing.yml "${job[@]}" "${change[@]}"

# A failed rebuild fails the run; the relaunch with the same token rebuilds nothing.
seed doomed
step failed failed_rebuild_fails_the_run.yml "${job[@]}" "${incident[@]}"
reset_calls
step relaunch relaunch_rebuilds_nothing.yml "${job[@]}" "${incident[@]}"

# The operator lets the connected and the snapshot-less ones in (booleans as -e strings).
seed runbook
step let_in connected_and_snapshotless_let_in.yml "${job[@]}" \
    -e workspaces_acknowledge=true -e workspaces_skip_connected=false -e workspaces_require_snapshot=no

# The guard: more would be rebuilt than workspaces_max allows, looked or acknowledged
# (the counts add up over both runs).
seed runbook
step guard_looked guard_stops_before_any_change.yml "${job[@]}" -e '{"workspaces_max": 1}'
step guard_acknowledged guard_stops_before_any_change.yml "${job[@]}" -e '{"workspaces_acknowledge": true, "workspaces_max": 1}'

# workspaces_dry_run wins over workspaces_acknowledge.
seed runbook
step dry_run dry_run_wins_over_acknowledge.yml "${job[@]}" -e '{"workspaces_acknowledge": true, "workspaces_dry_run": true}'

# Nothing broken: the acknowledged run ends before the plan.
seed nothing_broken
step nothing_broken nothing_broken_ends_before_the_plan.yml "${job[@]}" -e '{"workspaces_acknowledge": true}'

# A mistyped acknowledge, against the seeded fleet: not one call.
seed runbook
step mistyped_seeded mistyped_acknowledge.yml "${job[@]}" -e workspaces_acknowledge=ture
