#!/usr/bin/env bash
# The fleet_report runbook as an operator runs it: `ansible-playbook -i fleet.yml
# euc.workspaces.fleet_report --forks 4`, on an inventory with one host per account and
# region (files/fleet.yml), against the simulator seeded with two accounts in two regions
# each (vars/main.yml): one account reached by its own key, the other through AssumeRole.
# The run's results come from the ansible.posix.json callback and the report file;
# checks/report.yml asserts on them and on the calls the simulator counted per account
# and region.
#
# Arguments (from ansible-test): -v..., and -e @<file> with the AWS cloud config's
# credentials and region.
set -eux

# start_runs, playbook (and SIMULATED, the AWS_* credentials of the controller).
# shellcheck source=../setup_simulator/files/runbook_runs.sh
source ../setup_simulator/files/runbook_runs.sh
start_runs fleet_report
work="${work:?start_runs names the directory of the runs}"
if [ "${SIMULATED}" != true ]; then
    echo "fleet_report seeds two accounts through the simulator: leave it out with --exclude simulator_only/" >&2
    exit 1
fi

playbook playbooks/seed.yml

# The runbook by its collection name, four hosts at a time; two hosts fail, so the run
# fails after its report. Only the simulator's endpoint is given (no workspaces_region:
# an extra variable would override every host's), and the controller's credentials are
# the cloud config's AWS_* variables.
rc=0
ANSIBLE_STDOUT_CALLBACK=ansible.posix.json ansible-playbook -i files/fleet.yml euc.workspaces.fleet_report \
    --forks 4 -e @../../integration_config.yml -e "workspaces_report_file=${work}/report.json" \
    >"${work}/report_run.json" || rc=$?
playbook checks/report.yml -e "run_file=${work}/report_run.json" -e "run_rc=${rc}" \
    -e "report_file=${work}/report.json"
