# shellcheck shell=bash
# shellcheck disable=SC2034  # the variables below are used by the sourcing scripts
# Shared helpers for the scripts in this directory. Source it, do not run it:
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# Defines:
#   ROOT                      collection root (the repository root)
#   VENV                      main development virtual environment (.venv)
#   IMPORTER_VENV             galaxy-importer's own virtual environment
#   COLLECTIONS_DIR           directory holding ansible_collections/ for ansible-test
#   COLLECTION_COPY           ansible_collections/euc/workspaces copy of the collection
#   LIVE_COLLECTIONS_DIR      directory whose ansible_collections/euc/workspaces is a
#                             symlink to ROOT: pytest and ansible-lint see the live
#                             sources under the collection's name
#   MATRIX_DIR                requirement files of the matrix cells (see ensure_cell)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${ROOT}/.venv"
CACHE_DIR="${ROOT}/.cache"
IMPORTER_VENV="${CACHE_DIR}/venvs/galaxy-importer"
COLLECTIONS_DIR="${CACHE_DIR}/collections"
COLLECTION_NAMESPACE="euc"
COLLECTION_NAME="workspaces"
COLLECTION_COPY="${COLLECTIONS_DIR}/ansible_collections/${COLLECTION_NAMESPACE}/${COLLECTION_NAME}"
LIVE_COLLECTIONS_DIR="${CACHE_DIR}/live-collections"
MATRIX_DIR="tests/matrix"

export PIP_DISABLE_PIP_VERSION_CHECK=1

log() {
    printf '==> %s\n' "$*" >&2
}

die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# find_python VERSION: print the path of a working pythonVERSION (e.g. 3.13)
# that can create virtual environments, from PATH or else from a pyenv
# installation that is not selected; fail when there is none. pyenv shims for
# versions that are not selected exist on PATH but fail when run, so each
# candidate is executed rather than just looked up.
find_python() {
    local version="$1" candidate pyenv_python=""
    if command -v pyenv >/dev/null 2>&1; then
        pyenv_python="$(pyenv prefix "$(pyenv latest "${version}" 2>/dev/null)" 2>/dev/null)/bin/python${version}" || pyenv_python=""
    fi
    for candidate in "python${version}" "${pyenv_python}"; do
        [ -n "${candidate}" ] || continue
        if command -v "${candidate}" >/dev/null 2>&1 && "${candidate}" -c 'import venv' >/dev/null 2>&1; then
            command -v "${candidate}"
            return 0
        fi
    done
    return 1
}

# Print a usable base interpreter: $PYTHON if set, else python3.11 (see
# find_python), else python3 if >= 3.11.
find_base_python() {
    local candidate
    for candidate in "${PYTHON:-}" "$(find_python 3.11 || true)" python3; do
        [ -n "${candidate}" ] || continue
        if command -v "${candidate}" >/dev/null 2>&1 \
            && "${candidate}" -c 'import sys, venv; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
            command -v "${candidate}"
            return 0
        fi
    done
    die "no Python >= 3.11 found (tried python3.11, pyenv, python3; set PYTHON to override)"
}

# The WorkSpaces simulator, a Python project of its own (installed editable into .venv).
SIMULATOR_PROJECT="tools/workspaces-simulator"

# requirements_hash PYTHON SOURCE...: hash of everything that decides a virtual
# environment's contents. A SOURCE is a requirement file or a project directory
# (whose pyproject.toml says what installing it brings), relative to ROOT.
requirements_hash() {
    local python="$1"
    shift
    {
        "${python}" -c 'import sys; print(sys.version)'
        # bump to force a reinstall after changing how environments are built
        echo "layout 1"
        local source
        for source in "$@"; do
            echo "## ${source}"
            if [ "${source}" = --no-deps ]; then
                continue
            elif [ -d "${ROOT}/${source}" ]; then
                cat "${ROOT}/${source}/pyproject.toml"
            else
                cat "${ROOT}/${source}"
            fi
        done
    } | sha256sum | cut -d' ' -f1
}

# venv_is_current DIR SOURCE...
# Succeed when DIR is a working virtual environment whose stamp (see
# ensure_venv) says the requirement files and projects are installed as they
# are now.
venv_is_current() {
    local dir="$1"
    shift
    local stamp="${dir}/${VENV_STAMP:-.requirements.sha256}"
    [ -f "${stamp}" ] && "${dir}/bin/python" -c '' >/dev/null 2>&1 \
        && [ "$(cat "${stamp}")" = "$(requirements_hash "${dir}/bin/python" "$@")" ]
}

# ensure_venv DIR SOURCE... [--no-deps REQUIREMENT_FILE...]
# Create DIR as a virtual environment and install the requirement files and,
# editable, the project directories among the SOURCEs (paths relative to ROOT),
# in one pip run, so that the pins of the requirement files must satisfy the
# projects' dependencies; requirement files after --no-deps are installed
# afterwards, without their dependencies. Skips pip entirely when the stamp
# matches. VENV_PYTHON names the interpreter to create DIR with (default:
# find_base_python).
# VENV_STAMP names the stamp file (default .requirements.sha256), so that one
# environment can record a partial install beside the full one; with
# PIP_PROGRESS=1 pip says what it collects, downloads and installs instead of
# working in silence.
ensure_venv() {
    local dir="$1"
    shift
    local stamp="${dir}/${VENV_STAMP:-.requirements.sha256}"
    local base_python="${VENV_PYTHON:-}"
    [ -n "${base_python}" ] || base_python="$(find_base_python)"

    if [ -x "${dir}/bin/python" ] && ! "${dir}/bin/python" -c '' >/dev/null 2>&1; then
        log "removing broken virtual environment ${dir#"${ROOT}"/}"
        rm -rf "${dir}"
    fi
    if [ ! -x "${dir}/bin/python" ]; then
        log "creating virtual environment ${dir#"${ROOT}"/} with $("${base_python}" -V 2>&1)"
        rm -rf "${dir}"
        "${base_python}" -m venv "${dir}"
    fi

    local want
    want="$(requirements_hash "${dir}/bin/python" "$@")"
    if [ -f "${stamp}" ] && [ "$(cat "${stamp}")" = "${want}" ]; then
        return 0
    fi

    local args=() no_deps_args=() source no_deps=0
    for source in "$@"; do
        if [ "${source}" = --no-deps ]; then
            no_deps=1
        elif [ "${no_deps}" = 1 ]; then
            no_deps_args+=(-r "${ROOT}/${source}")
        elif [ -d "${ROOT}/${source}" ]; then
            args+=(-e "${ROOT}/${source}")
        else
            args+=(-r "${ROOT}/${source}")
        fi
    done
    log "installing $* into ${dir#"${ROOT}"/}"
    rm -f "${stamp}"
    venv_pip_install "${dir}" "${args[@]}"
    if [ "${#no_deps_args[@]}" -gt 0 ]; then
        venv_pip_install "${dir}" --no-deps "${no_deps_args[@]}"
    fi
    printf '%s\n' "${want}" >"${stamp}"
}

# venv_pip_install DIR PIP_ARGS...: pip install in the virtual environment DIR,
# quietly unless PIP_PROGRESS=1 (see ensure_venv).
venv_pip_install() {
    local dir="$1"
    shift
    local verbosity=(--quiet --progress-bar off)
    if [ "${PIP_PROGRESS:-0}" = 1 ]; then
        verbosity=()
    fi
    # (the filter drops notices about this machine's unused local index paths)
    "${dir}/bin/python" -m pip install "${verbosity[@]}" "$@" 2> >(
        grep -v "^WARNING: Location '.*' is ignored: it is neither a file nor a directory.$" >&2
    )
}

# Matrix cells: each runs the collection's checks against other versions of
# Python, ansible-core, amazon.aws and boto3 than .venv. MATRIX_DIR/CELL.txt
# pins what cell CELL installs and names its Python on a line "# python: X.Y";
# MATRIX_DIR/CELL.no-deps.txt, if present, is installed after it without
# dependencies. Each cell has its own virtual environment (cell_venv) and its
# own collections directory (cell_collections_dir), so cells never mix.
cell_venv() {
    printf '%s\n' "${CACHE_DIR}/venvs/$1"
}

cell_collections_dir() {
    printf '%s\n' "${CACHE_DIR}/cells/$1"
}

# cell_python_version CELL: print the X.Y of the cell's Python.
cell_python_version() {
    local file="${ROOT}/${MATRIX_DIR}/$1.txt"
    [ -f "${file}" ] || die "unknown matrix cell $1 (no ${MATRIX_DIR}/$1.txt)"
    local version
    version="$(sed -n 's/^# python: *\([0-9][0-9.]*\) *$/\1/p' "${file}" | head -n 1)"
    [ -n "${version}" ] || die "${MATRIX_DIR}/$1.txt names no Python (a line \"# python: X.Y\")"
    printf '%s\n' "${version}"
}

# ensure_cell CELL: create or refresh the cell's virtual environment, as
# ensure_venv does (prints nothing when it is current). An environment of
# another Python version than the cell names is made anew.
ensure_cell() {
    local cell="$1"
    local version dir base_python
    version="$(cell_python_version "${cell}")"
    dir="$(cell_venv "${cell}")"
    base_python="$(find_python "${version}")" || die "Python ${version}, which cell ${cell} runs on, not found (PATH, pyenv)"
    local files=("${MATRIX_DIR}/${cell}.txt")
    if [ -f "${ROOT}/${MATRIX_DIR}/${cell}.no-deps.txt" ]; then
        files+=(--no-deps "${MATRIX_DIR}/${cell}.no-deps.txt")
    fi
    if [ -x "${dir}/bin/python" ] \
        && [ "$("${dir}/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" != "${version}" ]; then
        log "removing ${dir#"${ROOT}"/}: the cell ${cell} now runs on Python ${version}"
        rm -rf "${dir}"
    fi
    VENV_PYTHON="${base_python}" ensure_venv "${dir}" "${files[@]}"
}

# cell_versions CELL: print what the cell runs (Python, ansible-core, the
# ansible package, amazon.aws as its MANIFEST.json says, boto3, botocore, the
# unit tests' hypothesis, moto if present).
cell_versions() {
    local dir
    dir="$(cell_venv "$1")"
    printf 'cell %s (%s):\n' "$1" "${dir#"${ROOT}"/}"
    "${dir}/bin/python" - <<'PY'
import importlib.metadata
import json
import pathlib
import platform
import sysconfig


def version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


manifest = pathlib.Path(sysconfig.get_paths()["purelib"], "ansible_collections", "amazon", "aws", "MANIFEST.json")
rows = [
    ("Python", platform.python_version()),
    ("ansible-core", version("ansible-core")),
    ("ansible", version("ansible")),
    ("amazon.aws", json.loads(manifest.read_text())["collection_info"]["version"] if manifest.is_file() else None),
    ("boto3", version("boto3")),
    ("botocore", version("botocore")),
    ("hypothesis", version("hypothesis")),
]
if version("moto"):
    rows.append(("moto", version("moto")))
for name, value in rows:
    print(f"  {name:<13} {value or 'not installed'}")
PY
}

# pin_unit_requirements VENV COPY: make `ansible-test units` in the collection
# copy COPY install, of each package that tests/unit/requirements.txt names,
# the version installed in VENV (through tests/unit/constraints.txt, which
# ansible-test applies), so that the unit tests run the boto3 and botocore of
# the environment under test rather than the newest ones.
pin_unit_requirements() {
    local venv="$1" copy="$2"
    "${venv}/bin/python" - "${copy}/tests/unit/requirements.txt" >>"${copy}/tests/unit/constraints.txt" <<'PY'
import importlib.metadata
import re
import sys

with open(sys.argv[1], encoding="utf-8") as requirements:
    for line in requirements:
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)", line.strip())
        if match:
            try:
                print(f"{match.group(1)}=={importlib.metadata.version(match.group(1))}")
            except importlib.metadata.PackageNotFoundError:
                pass
PY
}

# List the collection's files relative to ROOT, NUL separated: tracked plus
# untracked-but-not-ignored files when ROOT is a git work tree, otherwise every
# file except well-known development and output directories.
list_collection_files() {
    if command -v git >/dev/null 2>&1 && git -C "${ROOT}" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        local file
        git -C "${ROOT}" ls-files -z --cached --others --exclude-standard \
            | while IFS= read -r -d '' file; do
                # tracked files deleted from the work tree are still listed
                if [ -e "${ROOT}/${file}" ] || [ -L "${ROOT}/${file}" ]; then
                    printf '%s\0' "${file}"
                fi
            done
    else
        (
            cd "${ROOT}" || exit 1
            find . \
                \( -name .git -o -name .venv -o -name .cache -o -name .ansible \
                -o -name __pycache__ -o -name .pytest_cache -o -name .ruff_cache \
                -o -name .hypothesis -o -name .tox -o -path ./tests/output \) -prune \
                -o \( -type f -o -type l \) ! -name '*.pyc' ! -name '*.tar.gz' -printf '%P\0'
        )
    fi
}

# collection_copy_in DIR: print where sync_collection_copy lays out the copy
# under the collections directory DIR.
collection_copy_in() {
    printf '%s\n' "$1/ansible_collections/${COLLECTION_NAMESPACE}/${COLLECTION_NAME}"
}

# sync_collection_copy [DIR [VENV]]
# Lay out DIR's copy (default COLLECTIONS_DIR, so COLLECTION_COPY) as a fresh
# copy of the collection's files and put the collections it depends on beside
# it, those of VENV (default VENV). ansible-test needs a real
# ansible_collections/<namespace>/<name> directory, hence a copy and not a
# symlink. ansible-test's own output (tests/output) is kept between runs.
sync_collection_copy() {
    local collections_dir="${1:-${COLLECTIONS_DIR}}" venv="${2:-${VENV}}"
    local copy
    copy="$(collection_copy_in "${collections_dir}")"
    mkdir -p "${copy}"
    find "${copy}" -mindepth 1 -maxdepth 1 ! -name tests -exec rm -rf {} +
    if [ -d "${copy}/tests" ]; then
        find "${copy}/tests" -mindepth 1 -maxdepth 1 ! -name output -exec rm -rf {} +
    fi
    list_collection_files | tar -C "${ROOT}" --null --no-recursion -T - -cf - | tar -C "${copy}" -xf -
    link_dependencies "${collections_dir}" "${venv}"
}

# link_dependencies DIR [VENV]: make the collections bundled with the ansible
# package installed in VENV (default VENV) that this collection depends on
# visible under DIR/ansible_collections (amazon.aws).
link_dependencies() {
    local target_root="$1" venv="${2:-${VENV}}"
    local site
    site="$("${venv}/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    local deps=(amazon/aws) dep
    for dep in "${deps[@]}"; do
        [ -d "${site}/ansible_collections/${dep}" ] || die "dependency ${dep/\//.} not found in ${venv#"${ROOT}"/}; run scripts/bootstrap"
        mkdir -p "${target_root}/ansible_collections/${dep%/*}"
        ln -sfn "${site}/ansible_collections/${dep}" "${target_root}/ansible_collections/${dep}"
    done
}

# Make the live sources visible as the collection euc.workspaces: for pytest
# (`import ansible_collections.euc.workspaces...`, see pythonpath in
# pyproject.toml) and, through ANSIBLE_COLLECTIONS_PATH, for ansible-lint.
ensure_live_collection_link() {
    local link="${LIVE_COLLECTIONS_DIR}/ansible_collections/${COLLECTION_NAMESPACE}/${COLLECTION_NAME}"
    mkdir -p "${link%/*}"
    if [ "$(readlink "${link}" 2>/dev/null || true)" != "${ROOT}" ]; then
        ln -sfn "${ROOT}" "${link}"
    fi
}

# install_get_pip_stub [VENV], for the ansible-test of VENV (default VENV):
# ansible-test bootstraps pip in the virtual environments it creates with a
# get-pip script downloaded from a host that may be unreachable (it is for CI
# here); it uses ~/.ansible/test/cache/get_pip_<pip version with _ for .>.py
# when present. Opt-in, with OFFLINE_GET_PIP=1: install
# scripts/get_pip_offline.py there unless a real get-pip script is already
# cached. Without it, ansible-test downloads get-pip as usual.
install_get_pip_stub() {
    [ "${OFFLINE_GET_PIP:-0}" = 1 ] || return 0
    local pip_version
    pip_version="$("${1:-${VENV}}/bin/python" - <<'PY'
import pathlib
import re

import ansible_test

source = pathlib.Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py"
match = re.search(r"\bpip='([0-9][0-9.]*)'", source.read_text())
print(match.group(1) if match else "")
PY
)"
    [ -n "${pip_version}" ] || die "cannot tell which pip version ansible-test bootstraps"
    local cache="${HOME}/.ansible/test/cache/get_pip_${pip_version//./_}.py"
    if [ -f "${cache}" ] && ! grep -q 'Offline stand-in for the get-pip' "${cache}"; then
        return 0
    fi
    mkdir -p "${cache%/*}"
    cp "${ROOT}/scripts/get_pip_offline.py" "${cache}"
    log "installed scripts/get_pip_offline.py as ansible-test's get-pip (OFFLINE_GET_PIP=1)"
}

# expose_pythons DIR VERSION...: make each pythonX.Y that can run here
# callable from DIR (to be put first on PATH), and print the versions
# available. pyenv installs shims for every installed version, but a shim
# fails unless its version is selected, so those versions are linked to
# their real interpreters.
expose_pythons() {
    local dir="$1"
    shift
    rm -rf "${dir}"
    mkdir -p "${dir}"
    local version found=() full prefix
    for version in "$@"; do
        if command -v pyenv >/dev/null 2>&1 \
            && full="$(pyenv latest "${version}" 2>/dev/null)" \
            && prefix="$(pyenv prefix "${full}" 2>/dev/null)" \
            && [ -x "${prefix}/bin/python${version}" ]; then
            ln -s "${prefix}/bin/python${version}" "${dir}/python${version}"
        fi
        if PATH="${dir}:${PATH}" "python${version}" -c '' >/dev/null 2>&1; then
            found+=("${version}")
        fi
    done
    echo "${found[*]}"
}

# ------------------------------------------------------- the WorkSpaces simulator
# start_simulator PYTHON RUN_DIR ARG...: run `PYTHON -m workspaces_simulator
# --port 0 ARG...` in the background from ROOT, with its standard output in
# RUN_DIR/simulator.out and its log in RUN_DIR/simulator.log, and wait until it
# answers HTTP. Sets SIMULATOR_PID, SIMULATOR_ENDPOINT (http://127.0.0.1:<port>)
# and SIMULATOR_PYTHON (for simulator_get). Stop it with stop_simulator, for
# example from an EXIT trap.
SIMULATOR_PID=""
SIMULATOR_ENDPOINT=""
SIMULATOR_PYTHON=""
SIMULATOR_STATUS=""
start_simulator() {
    local python="$1" run_dir="$2"
    shift 2
    local out="${run_dir}/simulator.out" sim_log="${run_dir}/simulator.log"
    mkdir -p "${run_dir}"
    : >"${out}"
    : >"${sim_log}"
    (
        cd "${ROOT}" || exit 1
        exec "${python}" -m workspaces_simulator --port 0 "$@"
    ) >"${out}" 2>"${sim_log}" &
    SIMULATOR_PID=$!
    SIMULATOR_PYTHON="${python}"
    SIMULATOR_STATUS=""

    # The simulator prints one line with its endpoint, http://127.0.0.1:<port>.
    SIMULATOR_ENDPOINT=""
    local _
    for _ in $(seq 1 300); do
        SIMULATOR_ENDPOINT="$(grep -Eom1 'http://127\.0\.0\.1:[0-9]+' "${out}" || true)"
        [ -n "${SIMULATOR_ENDPOINT}" ] && break
        if ! kill -0 "${SIMULATOR_PID}" 2>/dev/null; then
            cat "${sim_log}" "${out}" >&2
            die "the simulator exited before it printed its endpoint"
        fi
        sleep 0.1
    done
    if [ -z "${SIMULATOR_ENDPOINT}" ]; then
        cat "${sim_log}" "${out}" >&2
        die "the simulator printed no endpoint within 30 seconds"
    fi

    # Wait until it answers HTTP (any status code will do), never through a proxy.
    "${python}" - "${SIMULATOR_ENDPOINT}" <<'PY'
import sys
import time
import urllib.error
import urllib.request

url = sys.argv[1]
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
deadline = time.monotonic() + 30
while True:
    try:
        opener.open(url, timeout=2).close()
        break
    except urllib.error.HTTPError:
        break
    except OSError as exc:
        if time.monotonic() > deadline:
            sys.exit(f"the simulator at {url} does not answer: {exc}")
        time.sleep(0.2)
PY
}

# simulator_get PATH: print the answer of a GET of one of the running
# simulator's control endpoints (/_sim/...), never through a proxy.
simulator_get() {
    "${SIMULATOR_PYTHON}" - "${SIMULATOR_ENDPOINT}$1" <<'PY'
import sys
import urllib.request

opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
with opener.open(sys.argv[1], timeout=10) as answer:
    sys.stdout.write(answer.read().decode())
PY
}

# stop_simulator: stop the simulator start_simulator started (SIGTERM, then
# SIGKILL after 5 seconds) and set SIMULATOR_STATUS to its exit status; nothing
# when it is not running.
stop_simulator() {
    if [ -n "${SIMULATOR_PID}" ] && kill -0 "${SIMULATOR_PID}" 2>/dev/null; then
        kill -TERM "${SIMULATOR_PID}" 2>/dev/null || true
        local _
        for _ in $(seq 1 50); do
            kill -0 "${SIMULATOR_PID}" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "${SIMULATOR_PID}" 2>/dev/null; then
            kill -KILL "${SIMULATOR_PID}" 2>/dev/null || true
        fi
        SIMULATOR_STATUS=0
        wait "${SIMULATOR_PID}" 2>/dev/null || SIMULATOR_STATUS=$?
        log "simulator stopped (exit ${SIMULATOR_STATUS})"
    fi
    SIMULATOR_PID=""
}

# write_integration_config DIR ENDPOINT: point the integration targets in DIR
# (a tests/integration directory) at the simulator at ENDPOINT.
# integration_config.yml carries the endpoint; cloud-config-aws.ini is
# ansible-test's standard AWS cloud config, which the targets read their
# credentials and region from (`cloud/aws` alias). The credentials are
# dummies the simulator accepts; the region is the simulator's default one,
# us-east-1, where the targets' scenarios (which name no region) seed their
# WorkSpaces: the simulator keeps a fleet per region.
write_integration_config() {
    local dir="$1" endpoint="$2"
    cat >"${dir}/integration_config.yml" <<EOF
---
# Written by scripts/integration for one run: the WorkSpaces simulator.
workspaces_endpoint_url: ${endpoint}
workspaces_simulator_url: ${endpoint}
EOF
    cat >"${dir}/cloud-config-aws.ini" <<'EOF'
# Written by scripts/integration for one run: dummy credentials for the simulator.
[default]
aws_access_key: AKIAIOSFODNN7EXAMPLE
aws_secret_key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
aws_region: us-east-1
EOF
}
