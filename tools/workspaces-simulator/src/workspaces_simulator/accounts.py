"""Accounts reached by credentials, and the temporary credentials STS AssumeRole hands out.

As moto does, the simulator tells accounts apart by the access key a request is
signed with (the ``KEY`` of its SigV4 credential scope); it checks no signature and
no secret key. A scenario's ``accounts:`` declares which keys answer for which
account. Without any declared account every key reaches the one default account,
as the simulator always did.

``AssumeRole`` of ``arn:aws:iam::<account>:role/<name>`` returns temporary
credentials (an ``ASIA`` key, a secret, a session token and an expiration) that
reach that account, and only together with their session token, until they expire.
The keys, secrets and tokens come from moto's own generators (those of ``moto.iam``'s
``AccessKey``, and ``moto.sts``'s ``random_session_token``); what moto's STS backend
keeps in its process-wide dictionaries is kept here instead, per simulator, so that
``reset`` forgets it and two simulators in one process do not share keys.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from moto.iam.utils import generate_access_key_id_from_account_id, random_alphanumeric
from moto.sts.utils import random_session_token

from .backend import DEFAULT_ACCOUNT_ID

ACCOUNT_ID_PATTERN = re.compile(r"^\d{12}$")
#: A role ARN: the account, an optional path, the role name (IAM's characters).
ROLE_ARN_PATTERN = re.compile(
    r"^arn:aws(?:-[a-z]+)*:iam::(?P<account>\d{12}):role/(?:[\w+=,.@-]+/)*(?P<name>[\w+=,.@-]{1,64})$"
)
#: What an access key id the simulator accepts in a scenario looks like.
ACCESS_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_]{1,128}$")
#: AssumeRole's DurationSeconds: at least 15 minutes, at most 12 hours (the role's maximum).
MIN_DURATION_SECONDS = 900
MAX_DURATION_SECONDS = 43200
DEFAULT_DURATION_SECONDS = 3600

INVALID_TOKEN_MESSAGE = "The security token included in the request is invalid."
EXPIRED_TOKEN_MESSAGE = "The security token included in the request is expired"


class CredentialError(Exception):
    """The request's credentials reach no account: unknown, or temporary and expired or
    presented without their session token. Each protocol answers it in its own words."""

    def __init__(self, expired: bool = False) -> None:
        super().__init__(EXPIRED_TOKEN_MESSAGE if expired else INVALID_TOKEN_MESSAGE)
        self.expired = expired


class AssumeRoleRefused(Exception):
    """AssumeRole refused: the role cannot be assumed (``access_denied``), or the
    request is malformed (a ValidationError)."""

    def __init__(self, message: str, access_denied: bool = True) -> None:
        super().__init__(message)
        self.access_denied = access_denied


@dataclass
class DeclaredAccount:
    """An account a scenario declared: the access keys it answers for, and the role names
    that can be assumed in it (None: any name)."""

    account_id: str
    access_keys: list[str] = field(default_factory=list)
    roles: list[str] | None = None


@dataclass
class Session:
    """Temporary credentials from AssumeRole."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    account_id: str
    role_arn: str
    role_name: str
    session_name: str
    #: Wall-clock epoch seconds after which the credentials are refused.
    expires_at: float

    @property
    def role_id(self) -> str:
        """The role's unique id (``AROA...``), stable per role ARN as on AWS."""
        digest = hashlib.sha256(self.role_arn.encode("utf-8")).hexdigest().upper()
        return "AROA" + digest[:17]

    @property
    def arn(self) -> str:
        """The assumed-role ARN GetCallerIdentity reports."""
        partition = self.role_arn.split(":")[1]
        return (
            f"arn:{partition}:sts::{self.account_id}:assumed-role/{self.role_name}/"
            f"{self.session_name}"
        )


class Credentials:
    """Which account each access key reaches. Not thread-safe: the simulator's lock guards it."""

    def __init__(self) -> None:
        self.accounts: dict[str, DeclaredAccount] = {}
        #: Declared access key -> its account.
        self.owner: dict[str, str] = {}
        #: Temporary access key -> its session.
        self.sessions: dict[str, Session] = {}

    @property
    def declared(self) -> bool:
        """True once a scenario declared accounts: then only their keys are accepted."""
        return bool(self.accounts)

    def conflicts(self, accounts: list[DeclaredAccount]) -> list[str]:
        """What keeps ``accounts`` from being declared: a key another account answers for."""
        problems = []
        claimed: dict[str, str] = {}
        for account in accounts:
            for key in account.access_keys:
                owner = self.owner.get(key) or claimed.get(key)
                if owner is not None and owner != account.account_id:
                    problems.append(
                        f"access key {key} answers for account {owner}, not {account.account_id}"
                    )
                claimed[key] = account.account_id
        return problems

    def declare(self, account: DeclaredAccount) -> None:
        """Add an account, or more keys and roles to one already declared."""
        current = self.accounts.setdefault(account.account_id, DeclaredAccount(account.account_id))
        for key in account.access_keys:
            if key not in current.access_keys:
                current.access_keys.append(key)
            self.owner[key] = account.account_id
        if account.roles is not None:
            known = current.roles or []
            current.roles = known + [role for role in account.roles if role not in known]

    def account_of(self, access_key: str | None, session_token: str | None, now: float) -> str:
        """The account a request signed with ``access_key`` (and ``session_token``) reaches."""
        if access_key is not None and access_key in self.sessions:
            session = self.sessions[access_key]
            if session_token != session.session_token:
                raise CredentialError()
            if now >= session.expires_at:
                raise CredentialError(expired=True)
            return session.account_id
        if not self.declared:
            return DEFAULT_ACCOUNT_ID
        if access_key is not None and access_key in self.owner:
            return self.owner[access_key]
        raise CredentialError()

    def assume_role(
        self,
        caller_arn: str,
        role_arn: str | None,
        session_name: str | None,
        duration: int | None,
        now: float,
    ) -> Session:
        """Temporary credentials for ``role_arn``, asked for by ``caller_arn``."""
        if not role_arn or not session_name:
            raise AssumeRoleRefused("RoleArn and RoleSessionName are required.", False)
        if not re.fullmatch(r"[\w+=,.@-]{2,64}", session_name):
            raise AssumeRoleRefused(
                f"1 validation error detected: Value '{session_name}' at 'roleSessionName' "
                r"failed to satisfy constraint: Member must satisfy regular expression "
                r"pattern: [\w+=,.@-]* and have length between 2 and 64",
                False,
            )
        seconds = DEFAULT_DURATION_SECONDS if duration is None else duration
        if not MIN_DURATION_SECONDS <= seconds <= MAX_DURATION_SECONDS:
            raise AssumeRoleRefused(
                f"1 validation error detected: Value '{seconds}' at 'durationSeconds' failed to "
                f"satisfy constraint: Member must have value between {MIN_DURATION_SECONDS} "
                f"and {MAX_DURATION_SECONDS}",
                False,
            )
        match = ROLE_ARN_PATTERN.fullmatch(role_arn)
        if match is None:
            raise AssumeRoleRefused(f"{role_arn} is not a valid role ARN.", False)
        account_id, role_name = match.group("account"), match.group("name")
        if not self._can_assume(account_id, role_name):
            raise AssumeRoleRefused(
                f"User: {caller_arn} is not authorized to perform: sts:AssumeRole on resource: "
                f"{role_arn}"
            )
        session = Session(
            access_key_id=generate_access_key_id_from_account_id(
                account_id, prefix="ASIA", total_length=20
            ),
            secret_access_key=random_alphanumeric(40),
            session_token=random_session_token(),
            account_id=account_id,
            role_arn=role_arn,
            role_name=role_name,
            session_name=session_name,
            expires_at=now + seconds,
        )
        self.sessions[session.access_key_id] = session
        return session

    def _can_assume(self, account_id: str, role_name: str) -> bool:
        """Without declared accounts, any role of the one default account; with them, a role
        of a declared account, of the names it lists when it lists any."""
        if not self.declared:
            return account_id == DEFAULT_ACCOUNT_ID
        account = self.accounts.get(account_id)
        if account is None:
            return False
        return account.roles is None or role_name in account.roles

    def identity(self, access_key: str | None, account_id: str) -> tuple[str, str, str]:
        """GetCallerIdentity's UserId, Arn and Account for a key that reached ``account_id``:
        an assumed role's session, or (a declared or any key) the account's root user."""
        session = self.sessions.get(access_key or "")
        if session is not None:
            return f"{session.role_id}:{session.session_name}", session.arn, account_id
        return account_id, f"arn:aws:iam::{account_id}:root", account_id
