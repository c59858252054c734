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

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${ROOT}/.venv"
CACHE_DIR="${ROOT}/.cache"
IMPORTER_VENV="${CACHE_DIR}/venvs/galaxy-importer"
COLLECTIONS_DIR="${CACHE_DIR}/collections"
COLLECTION_NAMESPACE="euc"
COLLECTION_NAME="workspaces"
COLLECTION_COPY="${COLLECTIONS_DIR}/ansible_collections/${COLLECTION_NAMESPACE}/${COLLECTION_NAME}"
LIVE_COLLECTIONS_DIR="${CACHE_DIR}/live-collections"

export PIP_DISABLE_PIP_VERSION_CHECK=1

log() {
    printf '==> %s\n' "$*" >&2
}

die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# Print a usable base interpreter: $PYTHON if set, else python3.11 (from PATH,
# or a pyenv installation that is not selected), else python3 if >= 3.11.
# pyenv shims for versions that are not selected exist on PATH but fail when
# run, so each candidate is executed rather than just looked up.
find_base_python() {
    local candidate pyenv_python=""
    if command -v pyenv >/dev/null 2>&1; then
        pyenv_python="$(pyenv prefix "$(pyenv latest 3.11 2>/dev/null)" 2>/dev/null)/bin/python3.11" || pyenv_python=""
    fi
    for candidate in "${PYTHON:-}" python3.11 "${pyenv_python}" python3; do
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
            if [ -d "${ROOT}/${source}" ]; then
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

# ensure_venv DIR SOURCE...
# Create DIR as a virtual environment and install the requirement files and,
# editable, the project directories among the SOURCEs (paths relative to ROOT),
# in one pip run, so that the pins of the requirement files must satisfy the
# projects' dependencies. Skips pip entirely when the stamp matches.
# VENV_STAMP names the stamp file (default .requirements.sha256), so that one
# environment can record a partial install beside the full one; with
# PIP_PROGRESS=1 pip says what it collects, downloads and installs instead of
# working in silence.
ensure_venv() {
    local dir="$1"
    shift
    local stamp="${dir}/${VENV_STAMP:-.requirements.sha256}"
    local base_python
    base_python="$(find_base_python)"

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

    local args=() source
    for source in "$@"; do
        if [ -d "${ROOT}/${source}" ]; then
            args+=(-e "${ROOT}/${source}")
        else
            args+=(-r "${ROOT}/${source}")
        fi
    done
    log "installing $* into ${dir#"${ROOT}"/}"
    rm -f "${stamp}"
    # (the filter drops notices about this machine's unused local index paths)
    local verbosity=(--quiet --progress-bar off)
    if [ "${PIP_PROGRESS:-0}" = 1 ]; then
        verbosity=()
    fi
    "${dir}/bin/python" -m pip install "${verbosity[@]}" "${args[@]}" 2> >(
        grep -v "^WARNING: Location '.*' is ignored: it is neither a file nor a directory.$" >&2
    )
    printf '%s\n' "${want}" >"${stamp}"
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

# Lay out COLLECTION_COPY as a fresh copy of the collection's files and put the
# collections it depends on beside it. ansible-test needs a real
# ansible_collections/<namespace>/<name> directory, hence a copy and not a
# symlink. ansible-test's own output (tests/output) is kept between runs.
sync_collection_copy() {
    mkdir -p "${COLLECTION_COPY}"
    find "${COLLECTION_COPY}" -mindepth 1 -maxdepth 1 ! -name tests -exec rm -rf {} +
    if [ -d "${COLLECTION_COPY}/tests" ]; then
        find "${COLLECTION_COPY}/tests" -mindepth 1 -maxdepth 1 ! -name output -exec rm -rf {} +
    fi
    list_collection_files | tar -C "${ROOT}" --null --no-recursion -T - -cf - | tar -C "${COLLECTION_COPY}" -xf -
    link_dependencies "${COLLECTIONS_DIR}"
}

# link_dependencies DIR: make the collections bundled with the installed
# ansible package that this collection depends on visible under
# DIR/ansible_collections (amazon.aws).
link_dependencies() {
    local target_root="$1"
    local site
    site="$("${VENV}/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    local deps=(amazon/aws) dep
    for dep in "${deps[@]}"; do
        [ -d "${site}/ansible_collections/${dep}" ] || die "dependency ${dep/\//.} not found in ${VENV#"${ROOT}"/}; run scripts/bootstrap"
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

# ansible-test bootstraps pip in the virtual environments it creates with a
# get-pip script downloaded from a host that may be unreachable; it uses
# ~/.ansible/test/cache/get_pip_<pip version with _ for .>.py when present.
# Install tests/sanity/get_pip_offline.py there unless a real get-pip script
# is already cached.
install_get_pip_stub() {
    local pip_version
    pip_version="$("${VENV}/bin/python" - <<'PY'
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
    cp "${ROOT}/tests/sanity/get_pip_offline.py" "${cache}"
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
