#!/usr/bin/env bash
# The same idempotency_token never rebuilds twice, even after a crash: a run
# with a token is killed (SIGKILL, its whole process group) right after its
# requests were accepted, during its wait. Relaunched with the same token once
# the rebuilds are over, it rebuilds nothing a second time; the request AWS
# refused left no marker, so the relaunch rebuilds that one.
#
# ansible-test gives "$@": its verbosity and -e @<the AWS cloud config's vars>;
# the simulator's endpoint comes from ../../integration_config.yml.
set -eux

export ANSIBLE_ROLES_PATH=..
# With the simulator, every request stays on this machine.
# shellcheck source=../setup_simulator/files/simulator_env.sh
source ../setup_simulator/files/simulator_env.sh
playbook=(ansible-playbook -i "${INVENTORY_PATH}" -e @../../integration_config.yml "$@")

"${playbook[@]}" seed.yml

# Its own session and process group, so that the kill reaches every process of it.
setsid "${playbook[@]}" crashed_run.yml >"${OUTPUT_DIR:-.}/crashed_run.log" 2>&1 &
crashed=$!
stop_crashed_run() {
    kill -KILL -- "-${crashed}" 2>/dev/null || true
    wait "${crashed}" || true
}
trap stop_crashed_run EXIT

"${playbook[@]}" wait_for_accepted.yml
sleep 0.5
stop_crashed_run
trap - EXIT
# The run was killed during its wait, not finished.
if grep -q 'PLAY RECAP' "${OUTPUT_DIR:-.}/crashed_run.log"; then
    echo "the crashed run ended before it was killed" >&2
    exit 1
fi

"${playbook[@]}" relaunch.yml
