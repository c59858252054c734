# shellcheck shell=bash
# Sourced by the runme.sh of the targets that run a runbook as an operator does
# (ansible-playbook with the runbook's own variables), from their own directory,
# which holds playbooks/seed.yml (-e scenario=...) and the checks in checks/.
# Defines:
#   start_runs NAME            what every run needs: the roles path, the environment
#                              sealed to the simulator (simulator_env.sh), UTC, the
#                              directory for the runs' results (work, under OUTPUT_DIR/NAME),
#                              then prepare_runs
#   playbook FILE [ARG...]     one of the target's playbooks, with the test's configuration
#   check RUN FILE [ARG...]    checks/FILE on the results of the run named RUN
#   seed ARG...                playbooks/seed.yml with -e scenario=ARG (zeroes the call counts)
#   reset_calls                zero the simulator's call counts before the next run
#   runbook RUN PLAYBOOK [ARG...]  run the runbook (by its collection name, or an AWX
#                              project's playbook) with the operator's arguments; its results
#                              go to RUN.json (ansible.posix.json), its exit status to rc
#   step RUN CHECKS PLAYBOOK [ARG...]  runbook RUN, then checks/CHECKS on it
#   prepare_runs               write the runbook's variables and credentials (from the cloud
#                              config) and source them: sets SIMULATED=true|false
helper_args=(-i "localhost," -e @../../integration_config.yml "$@")

start_runs() {
    export ANSIBLE_ROLES_PATH=..
    # With the simulator, every request stays on this machine.
    # shellcheck source=simulator_env.sh
    source ../setup_simulator/files/simulator_env.sh
    # botocore gives timestamps in local time: UTC makes the snapshot ages predictable.
    export TZ=UTC
    export AWS_EC2_METADATA_DISABLED=true
    work="${OUTPUT_DIR}/$1"
    rm -rf "${work}"
    mkdir -p "${work}"
    prepare_runs
}

playbook() {
    ansible-playbook "$1" "${helper_args[@]}" "${@:2}"
}

check() {
    playbook "checks/$2" -e "run_file=${work}/$1.json" -e "run_rc=${rc}" "${@:3}"
}

seed() {
    playbook playbooks/seed.yml -e "scenario=$1"
}

reset_calls() {
    playbook ../setup_simulator/playbooks/reset_calls.yml
}

runbook() {
    rc=0
    ANSIBLE_STDOUT_CALLBACK=ansible.posix.json ansible-playbook -i "localhost," "$2" \
        -e "@${work}/runbook-vars.json" "${@:3}" >"${work}/$1.json" || rc=$?
}

step() {
    runbook "$1" "${@:3}"
    check "$1" "$2"
}

prepare_runs() {
    playbook ../setup_simulator/playbooks/runbook_setup.yml \
        -e "runbook_vars=${work}/runbook-vars.json" -e "runbook_env=${work}/runbook-env.sh"
    # shellcheck source=/dev/null  # written by runbook_setup.yml: AWS_* and SIMULATED
    source "${work}/runbook-env.sh"
}
