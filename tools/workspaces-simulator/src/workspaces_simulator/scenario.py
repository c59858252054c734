"""Scenario format: parse a scenario mapping (from YAML or the control API) into seeds.

A scenario describes directories, fleets of generated WorkSpaces and explicit
WorkSpaces (of the default account, or of the ``accounts`` it declares, each with
the access keys it answers for), plus optional ``timing``, ``faults`` and
``schedule`` sections. Parsing is strict
(unknown keys are errors) so that a typo in a scenario fails loudly instead of
silently seeding something else. See README.md for the full format.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .accounts import ACCESS_KEY_PATTERN, ACCOUNT_ID_PATTERN, DeclaredAccount
from .backend import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_REGION,
    REGION_PATTERN,
    SeedWorkspace,
    derived_directory_id,
)
from .lifecycle import (
    CONNECTION_STATES,
    RUNNING_MODES,
    WORKSPACE_STATES,
    ConnectionStatus,
    Timing,
    action_named,
)
from .schedule import EventSpec, check_keys, parse_schedule

DEFAULT_BUNDLE_ID = "wsb-bh8rsxt14"
DEFAULT_DIRECTORY_NAME = "corp.example.com"
WORKSPACE_ID_PATTERN = re.compile(r"^ws-[0-9a-z]{8,63}$")
BUNDLE_ID_PATTERN = re.compile(r"^wsb-[0-9a-z]{8,63}$")
DIRECTORY_ID_PATTERN = re.compile(r"^(d-[0-9a-f]{8,63}|wsd-[0-9a-z]{8,63})$")
_RELATIVE_TIME = re.compile(r"^-(\d+(?:\.\d+)?)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
#: The scenarios shipped with the package, as package data.
_BUILTIN_SCENARIOS = resources.files("workspaces_simulator") / "scenarios"

_COMMON_KEYS = {
    "state",
    "bundle",
    "running_mode",
    "tags",
    "fails",
    "snapshots",
    "connection",
    "error_code",
    "error_message",
    "state_since",
}
_FLEET_KEYS = _COMMON_KEYS | {"name", "count", "states", "user_prefix", "computer_prefix"}
_WORKSPACE_KEYS = _COMMON_KEYS | {"id", "user", "computer_name"}
_DIRECTORY_KEYS = {"id", "name", "alias", "bundle", "region", "fleets", "workspaces"}
_ACCOUNT_KEYS = {"id", "access_keys", "roles", "region", "directories"}
_TOP_KEYS = {
    "name",
    "description",
    "region",
    "timing",
    "faults",
    "schedule",
    "directories",
    "accounts",
}
#: What a role name looks like (IAM's characters, 1 to 64 of them).
_ROLE_NAME_PATTERN = re.compile(r"^[\w+=,.@-]{1,64}$")


class ScenarioError(ValueError):
    """The scenario does not follow the format."""


@dataclass
class DirectorySeed:
    """One directory to register."""

    directory_id: str
    name: str
    alias: str | None
    region: str = DEFAULT_REGION
    account_id: str = DEFAULT_ACCOUNT_ID


@dataclass
class ScenarioPlan:
    """A parsed scenario, ready to apply to a backend."""

    directories: list[DirectorySeed] = field(default_factory=list)
    workspaces: list[SeedWorkspace] = field(default_factory=list)
    #: The accounts the scenario declares (their keys and roles).
    accounts: list[DeclaredAccount] = field(default_factory=list)
    timing: Timing | None = None
    faults: dict[str, Any] | None = None
    #: None when the scenario has no schedule section (the current one is kept).
    schedule: list[EventSpec] | None = None


def load_scenario_file(path: str | Path) -> dict[str, Any]:
    """Read a scenario YAML (or JSON) file into a mapping."""
    with open(path, encoding="utf-8") as handle:
        return _scenario_mapping(yaml.safe_load(handle), str(path))


def builtin_scenarios() -> list[str]:
    """The names of the scenarios shipped in the package (``scenarios/<name>.yml``)."""
    return sorted(
        entry.name.removesuffix(".yml")
        for entry in _BUILTIN_SCENARIOS.iterdir()
        if entry.name.endswith(".yml")
    )


def load_builtin_scenario(name: str) -> dict[str, Any]:
    """Read the shipped scenario ``name`` (``demo``, ``fleet-500``, ...) into a mapping."""
    if name not in builtin_scenarios():
        raise ScenarioError(
            f"no built-in scenario {name!r} (built-in: {', '.join(builtin_scenarios())})"
        )
    text = (_BUILTIN_SCENARIOS / f"{name}.yml").read_text(encoding="utf-8")
    return _scenario_mapping(yaml.safe_load(text), f"built-in scenario {name}")


def load_scenario_source(source: str) -> tuple[dict[str, Any], str]:
    """Read the scenario a command line names: a file when one exists at ``source``, else
    the built-in scenario of that name. Returns the mapping and where it came from."""
    if Path(source).is_file():
        return load_scenario_file(source), source
    if source in builtin_scenarios():
        return load_builtin_scenario(source), f"built-in scenario {source}"
    raise ScenarioError(
        f"{source}: no such file, nor a built-in scenario (built-in: {', '.join(builtin_scenarios())})"
    )


def _scenario_mapping(data: Any, where: str) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ScenarioError(f"{where}: a scenario must be a mapping")
    return data


def _check_keys(data: Any, allowed: set[str], where: str) -> dict[str, Any]:
    return check_keys(data, allowed, where, ScenarioError)


def check_region(value: Any, where: str = "region") -> str:
    """``value`` when it looks like an AWS region name; ScenarioError otherwise."""
    if not isinstance(value, str) or not REGION_PATTERN.fullmatch(value):
        raise ScenarioError(
            f"{where} {value!r} is not an AWS region name (like us-east-1, eu-west-1)"
        )
    return value


def parse_time(value: Any, now: float, where: str) -> float:
    """Epoch seconds from a datetime, an ISO-8601 string, a number, "now" or "-3d"-style."""
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return moment.timestamp()
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC).timestamp()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if text == "now":
            return now
        relative = _RELATIVE_TIME.match(text)
        if relative:
            return now - float(relative.group(1)) * _UNIT_SECONDS[relative.group(2)]
        try:
            return parse_time(dt.datetime.fromisoformat(text), now, where)
        except ValueError:
            pass
    raise ScenarioError(f"{where}: cannot read {value!r} as a time")


def _tags(data: Any, where: str) -> list[dict[str, str]]:
    if data is None:
        return []
    if isinstance(data, dict):
        return [{"Key": str(k), "Value": "" if v is None else str(v)} for k, v in data.items()]
    if isinstance(data, list) and all(isinstance(t, dict) and "Key" in t for t in data):
        return [{"Key": str(t["Key"]), "Value": str(t.get("Value", ""))} for t in data]
    raise ScenarioError(f"{where}.tags must be a mapping or a list of {{Key, Value}}")


def _fails(data: Any, where: str) -> frozenset[str]:
    if data is None:
        return frozenset()
    items = [data] if isinstance(data, str) else data
    if not isinstance(items, list):
        raise ScenarioError(f"{where}.fails must be a list of actions")
    try:
        return frozenset(action_named(str(item)).name for item in items)
    except ValueError as exc:
        raise ScenarioError(f"{where}.fails: {exc}") from exc


def _snapshots(data: Any, now: float, where: str) -> tuple[list[float], list[float]]:
    if data is None:
        return [], []
    spec = _check_keys(data, {"rebuild", "restore"}, f"{where}.snapshots")
    lists = []
    for kind in ("rebuild", "restore"):
        times = spec.get(kind) or []
        if not isinstance(times, list):
            raise ScenarioError(f"{where}.snapshots.{kind} must be a list of times")
        lists.append([parse_time(t, now, f"{where}.snapshots.{kind}") for t in times])
    return lists[0], lists[1]


def _connection(data: Any, now: float, where: str) -> ConnectionStatus:
    if data is None:
        return ConnectionStatus("DISCONNECTED", now, None)
    spec = _check_keys(data, {"state", "checked_at", "last_connected_at"}, f"{where}.connection")
    state = str(spec.get("state", "DISCONNECTED"))
    if state not in CONNECTION_STATES:
        raise ScenarioError(f"{where}.connection.state must be one of {sorted(CONNECTION_STATES)}")
    checked = spec.get("checked_at", "now")
    last = spec.get("last_connected_at")
    return ConnectionStatus(
        state,
        parse_time(checked, now, f"{where}.connection.checked_at"),
        None if last is None else parse_time(last, now, f"{where}.connection.last_connected_at"),
    )


def _state(value: Any, where: str) -> str:
    state = str(value)
    if state not in WORKSPACE_STATES:
        raise ScenarioError(f"{where}: unknown WorkSpace state {state!r}")
    return state


def _bundle(value: Any, default: str, where: str) -> str:
    bundle = default if value is None else str(value)
    if not BUNDLE_ID_PATTERN.match(bundle):
        raise ScenarioError(f"{where}.bundle {bundle!r} does not match {BUNDLE_ID_PATTERN.pattern}")
    return bundle


def _running_mode(value: Any, where: str) -> str:
    mode = "AUTO_STOP" if value is None else str(value)
    if mode not in RUNNING_MODES:
        raise ScenarioError(f"{where}.running_mode must be one of {sorted(RUNNING_MODES)}")
    return mode


def _seed(
    spec: dict[str, Any], directory_id: str, bundle: str, now: float, where: str
) -> SeedWorkspace:
    """The attributes fleets and explicit WorkSpaces share."""
    rebuild, restore = _snapshots(spec.get("snapshots"), now, where)
    return SeedWorkspace(
        directory_id=directory_id,
        user_name="",
        id_key="",
        state=_state(spec.get("state", "AVAILABLE"), f"{where}.state"),
        bundle_id=_bundle(spec.get("bundle"), bundle, where),
        running_mode=_running_mode(spec.get("running_mode"), where),
        tags=_tags(spec.get("tags"), where),
        fails=_fails(spec.get("fails"), where),
        rebuild_snapshots=rebuild,
        restore_snapshots=restore,
        connection=_connection(spec.get("connection"), now, where),
        error_code=str(spec.get("error_code", "")),
        error_message=str(spec.get("error_message", "")),
        state_age=_state_age(spec.get("state_since"), now, where),
    )


def _state_age(value: Any, now: float, where: str) -> float | None:
    """Seconds since ``state_since`` (taken as simulated seconds), None when not given."""
    if value is None:
        return None
    since = parse_time(value, now, f"{where}.state_since")
    if since > now:
        raise ScenarioError(f"{where}.state_since must not be in the future")
    return now - since


def _fleet_states(spec: dict[str, Any], where: str) -> list[str]:
    """One state per fleet member, from ``state`` + ``count`` or a ``states`` mapping."""
    count = spec.get("count")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
        raise ScenarioError(f"{where}.count must be a non-negative integer")
    mix = spec.get("states")
    if mix is None:
        if count is None:
            raise ScenarioError(f"{where} needs count (or a states mapping)")
        return [_state(spec.get("state", "AVAILABLE"), f"{where}.state")] * count
    if "state" in spec:
        raise ScenarioError(f"{where}: use either state or states, not both")
    if not isinstance(mix, dict):
        raise ScenarioError(f"{where}.states must map state to count")
    states = []
    for state, n in mix.items():
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ScenarioError(f"{where}.states.{state} must be a non-negative integer")
        states.extend([_state(state, f"{where}.states")] * n)
    if count is not None and count != len(states):
        raise ScenarioError(f"{where}: count {count} differs from the states total {len(states)}")
    return states


def _fleet(
    spec: Any, directory_id: str, bundle: str, now: float, where: str
) -> list[SeedWorkspace]:
    spec = _check_keys(spec, _FLEET_KEYS, where)
    name = spec.get("name")
    if not isinstance(name, str) or not name:
        raise ScenarioError(f"{where}.name is required")
    states = _fleet_states(spec, where)
    width = max(3, len(str(len(states))))
    user_prefix = str(spec.get("user_prefix", name))
    computer_prefix = spec.get("computer_prefix")
    seeds = []
    for index, state in enumerate(states, start=1):
        seed = _seed({**spec, "state": state}, directory_id, bundle, now, where)
        seed.user_name = f"{user_prefix}{index:0{width}d}"
        seed.id_key = f"{directory_id}/{name}/{index}"
        if computer_prefix is not None:
            seed.computer_name = f"{computer_prefix}{index:0{width}d}"
        seeds.append(seed)
    return seeds


def _workspace(spec: Any, directory_id: str, bundle: str, now: float, where: str) -> SeedWorkspace:
    spec = _check_keys(spec, _WORKSPACE_KEYS, where)
    user = spec.get("user")
    if not isinstance(user, str) or not user:
        raise ScenarioError(f"{where}.user is required")
    seed = _seed(spec, directory_id, bundle, now, where)
    seed.user_name = user
    seed.id_key = f"{directory_id}/workspace/{user}"
    workspace_id = spec.get("id")
    if workspace_id is not None:
        if not isinstance(workspace_id, str) or not WORKSPACE_ID_PATTERN.match(workspace_id):
            raise ScenarioError(
                f"{where}.id {workspace_id!r} does not match {WORKSPACE_ID_PATTERN.pattern}"
            )
        seed.workspace_id = workspace_id
    if spec.get("computer_name") is not None:
        seed.computer_name = str(spec["computer_name"])
    return seed


def _directory(
    spec: Any,
    plan: ScenarioPlan,
    region: str,
    now: float,
    where: str,
    account_id: str = DEFAULT_ACCOUNT_ID,
) -> None:
    spec = _check_keys(spec, _DIRECTORY_KEYS, where)
    if spec.get("region") is not None:
        region = check_region(spec["region"], f"{where}.region")
    name = str(spec.get("name", DEFAULT_DIRECTORY_NAME))
    directory_id = str(spec.get("id") or derived_directory_id(name))
    if not DIRECTORY_ID_PATTERN.match(directory_id):
        raise ScenarioError(
            f"{where}.id {directory_id!r} does not match {DIRECTORY_ID_PATTERN.pattern}"
        )
    bundle = _bundle(spec.get("bundle"), DEFAULT_BUNDLE_ID, where)
    plan.directories.append(
        DirectorySeed(directory_id, name, spec.get("alias"), region, account_id)
    )
    seeds = []
    for index, fleet in enumerate(spec.get("fleets") or []):
        seeds.extend(_fleet(fleet, directory_id, bundle, now, f"{where}.fleets[{index}]"))
    for index, workspace in enumerate(spec.get("workspaces") or []):
        seeds.append(
            _workspace(workspace, directory_id, bundle, now, f"{where}.workspaces[{index}]")
        )
    for seed in seeds:
        seed.region = region
        seed.account_id = account_id
    plan.workspaces.extend(seeds)


def _directories(
    data: Any, plan: ScenarioPlan, region: str, now: float, where: str, account_id: str
) -> None:
    directories = data or []
    if not isinstance(directories, list):
        raise ScenarioError(f"{where} must be a list")
    for index, directory in enumerate(directories):
        _directory(directory, plan, region, now, f"{where}[{index}]", account_id)


def _strings(data: Any, pattern: re.Pattern[str], where: str) -> list[str]:
    if not isinstance(data, list) or not all(isinstance(item, str) for item in data):
        raise ScenarioError(f"{where} must be a list of strings")
    for item in data:
        if not pattern.fullmatch(item):
            raise ScenarioError(f"{where}: {item!r} does not match {pattern.pattern}")
    return list(dict.fromkeys(data))


def _account(spec: Any, plan: ScenarioPlan, region: str, now: float, where: str) -> None:
    """One entry of ``accounts``: its id, the keys it answers for, the roles that can be
    assumed in it, and its directories (in the scenario's shape)."""
    spec = _check_keys(spec, _ACCOUNT_KEYS, where)
    account_id = spec.get("id")
    if not isinstance(account_id, str) or not ACCOUNT_ID_PATTERN.fullmatch(account_id):
        raise ScenarioError(
            f"{where}.id must be an AWS account id, 12 digits as a quoted string "
            f'(like "111122223333"), not {account_id!r}'
        )
    keys = _strings(spec.get("access_keys", []), ACCESS_KEY_PATTERN, f"{where}.access_keys")
    roles = None
    if spec.get("roles") is not None:
        roles = _strings(spec["roles"], _ROLE_NAME_PATTERN, f"{where}.roles")
    if spec.get("region") is not None:
        region = check_region(spec["region"], f"{where}.region")
    plan.accounts.append(DeclaredAccount(account_id, keys, roles))
    _directories(spec.get("directories"), plan, region, now, f"{where}.directories", account_id)


def parse_scenario(data: Any, now: float, default_region: str = DEFAULT_REGION) -> ScenarioPlan:
    """Validate a scenario mapping; ``now`` (epoch seconds) anchors relative times.

    Directories and WorkSpaces go to the region of their directory entry, else to the
    scenario's top-level ``region``, else to ``default_region``.
    """
    data = _check_keys(data if data is not None else {}, _TOP_KEYS, "scenario")
    plan = ScenarioPlan()
    region = default_region
    if data.get("region") is not None:
        region = check_region(data["region"])
    timing = data.get("timing")
    if timing is not None:
        if not isinstance(timing, dict):
            raise ScenarioError("timing must be a mapping")
        try:
            plan.timing = Timing.from_dict(timing)
        except ValueError as exc:
            raise ScenarioError(f"timing: {exc}") from exc
    if data.get("faults") is not None:
        plan.faults = data["faults"]
    if data.get("schedule") is not None:
        try:
            plan.schedule = parse_schedule(data["schedule"])
        except ValueError as exc:
            raise ScenarioError(str(exc)) from exc
    _directories(data.get("directories"), plan, region, now, "directories", DEFAULT_ACCOUNT_ID)
    accounts = data.get("accounts") or []
    if not isinstance(accounts, list):
        raise ScenarioError("accounts must be a list")
    for index, account in enumerate(accounts):
        _account(account, plan, region, now, f"accounts[{index}]")
    declared = [account.account_id for account in plan.accounts]
    if len(set(declared)) != len(declared):
        twice = sorted({a for a in declared if declared.count(a) > 1})
        raise ScenarioError(f"accounts declared twice: {', '.join(twice)}")
    explicit = [seed.workspace_id for seed in plan.workspaces if seed.workspace_id]
    duplicates = {ws for ws in explicit if explicit.count(ws) > 1}
    if duplicates:
        raise ScenarioError(f"WorkSpace ids used twice: {', '.join(sorted(duplicates))}")
    return plan
