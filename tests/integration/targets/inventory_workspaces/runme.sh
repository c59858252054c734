#!/usr/bin/env bash
# The inventory plugin euc.workspaces.workspaces as an operator uses it: ansible-inventory
# --list and --graph on inventory files (playbooks/write_inventories.yml writes them from
# vars/main.yml), and a playbook that targets one of its keyed groups, against the
# simulator seeded with two regions. The playbooks of checks/ assert on the hosts, groups
# and host variables listed, and on the calls the simulator received in each region.
#
# Arguments (from ansible-test): -v..., and -e @<file> with the AWS cloud config's
# credentials and region.
set -eux

# start_runs, playbook, reset_calls (and SIMULATED, the AWS_* credentials).
# shellcheck source=../setup_simulator/files/runbook_runs.sh
source ../setup_simulator/files/runbook_runs.sh
start_runs inventory_workspaces
work="${work:?start_runs names the directory of the runs}"
if [ "${SIMULATED}" != true ]; then
    echo "inventory_workspaces seeds two regions through the simulator: leave it out with --exclude simulator_only/" >&2
    exit 1
fi

playbook playbooks/seed.yml
playbook playbooks/write_inventories.yml -e "work=${work}"
# A source the plugin refuses fails the command instead of leaving an empty inventory.
export ANSIBLE_INVENTORY_UNPARSED_FAILED=true

# list_source NAME [ARG...]: zero the call counts, then ansible-inventory --list on NAME's source,
# into NAME.json (stdout) and NAME.err (stderr).
list_source() {
    reset_calls
    ansible-inventory -i "${work}/$1.workspaces.yml" --list "${@:2}" >"${work}/$1.raw.json" 2>"${work}/$1.err"
    plain_json "${work}/$1.raw.json" "${work}/$1.json"
}

# plain_json IN OUT: ansible-core 2.19 and later mark the values an inventory plugin sets as
# untrusted in --list ({"__ansible_unsafe": value}); the checks read the values themselves.
plain_json() {
    python3 - "$1" "$2" <<'PY'
import json
import sys


def plain(value):
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


with open(sys.argv[1], encoding="utf-8") as listing:
    document = plain(json.load(listing))
with open(sys.argv[2], "w", encoding="utf-8") as out:
    json.dump(document, out)
PY
}

check_listing() {
    playbook checks/listing.yml -e "work=${work}" -e "case=$1" "${@:2}"
}

for source in all available untagged lab_bundle by_user by_tag; do
    list_source "${source}"
    check_listing "${source}"
done

# --graph shows the same groups, nested under all.
ansible-inventory -i "${work}/all.workspaces.yml" --graph >"${work}/all.graph"
grep -qx '  |--@workspaces:' "${work}/all.graph"
grep -qx '  |--@state_AVAILABLE:' "${work}/all.graph"
grep -qx '  |  |--ws-invwest001' "${work}/all.graph"
grep -qx '  |--@region_eu_west_1:' "${work}/all.graph"
if grep -q 'ws-inveast005\|ws-invwest003' "${work}/all.graph"; then
    echo "--graph lists a TERMINATED or TERMINATING WorkSpace" >&2
    exit 1
fi

# A play on a keyed group reaches exactly its hosts, each in its own region.
reset_calls
mkdir -p "${work}/targeted"
ansible-playbook -i "${work}/all.workspaces.yml" playbooks/target_group.yml \
    -e "work=${work}" -e @../../integration_config.yml
playbook checks/targeted.yml -e "work=${work}"

# The cache: the first listing writes it, the second reads it without one call, and
# --flush-cache lists anew (ansible-inventory has --flush-cache from ansible-core 2.18 on;
# before, ansible-playbook --flush-cache flushes it, and the listing then reads what that
# run listed anew, with the calls it made).
list_source cached
check_listing cached
reset_calls
ansible-inventory -i "${work}/cached.workspaces.yml" --list >"${work}/cached_again.raw.json" 2>"${work}/cached_again.err"
plain_json "${work}/cached_again.raw.json" "${work}/cached_again.json"
playbook checks/cache.yml -e "work=${work}"
if ansible-inventory --help | grep -q -- '--flush-cache'; then
    list_source cached --flush-cache
else
    reset_calls
    ansible-playbook -i "${work}/cached.workspaces.yml" --flush-cache --list-hosts playbooks/every_host.yml >/dev/null
    ansible-inventory -i "${work}/cached.workspaces.yml" --list >"${work}/cached.raw.json" 2>"${work}/cached.err"
    plain_json "${work}/cached.raw.json" "${work}/cached.json"
fi
check_listing cached

# Bad configuration: a clear error and not one call.
for source in unknown_option malformed_directory malformed_region; do
    reset_calls
    if ansible-inventory -i "${work}/${source}.workspaces.yml" --list >/dev/null 2>"${work}/${source}.err"; then
        echo "ansible-inventory accepted ${source}.workspaces.yml" >&2
        exit 1
    fi
    playbook checks/refused.yml -e "work=${work}" -e "case=${source}"
done
