"""STS on the simulator's endpoint: AssumeRole and GetCallerIdentity (the Query protocol),
and IAM's ListAccountAliases, which ``amazon.aws.aws_caller_info`` calls after STS.

moto's ``TokenResponse`` is reused for what is protocol: reading the form-encoded
parameters against botocore's STS model and serialising the answer as the Query
protocol's XML. Its backend is not: moto's STS backend keeps the temporary keys in
process-wide dictionaries (``sts_backends``, ``iam_backends``), lets any caller
assume any role, and answers GetCallerIdentity for keys it never issued with a
made-up user. The simulator answers from its own ``Credentials`` instead (see
``accounts``), which ``reset`` forgets.

Errors are written here, in the Query protocol's ``ErrorResponse`` shape, because the
codes AWS answers with (``InvalidClientTokenId``, ``AccessDenied``) are not in
botocore's STS model, from which moto's serializer would take their HTTP status.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from xml.sax.saxutils import escape

from moto.core.common_types import TYPE_RESPONSE
from moto.core.request import Request
from moto.core.responses import ActionResult
from moto.sts.responses import TokenResponse

from .accounts import AssumeRoleRefused, Credentials, Session

#: The STS operations the simulator serves.
STS_OPERATIONS = ("AssumeRole", "GetCallerIdentity")
#: The IAM operations the simulator serves (IAM has no other state here).
IAM_OPERATIONS = ("ListAccountAliases",)
STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"
IAM_NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/"


class StsError(Exception):
    """An STS error answer: code, message, HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def sts_error_response(
    error: StsError, namespace: str = STS_NAMESPACE
) -> tuple[int, dict[str, str], str]:
    """Status, headers and body of an STS (or IAM) error, as the Query protocol sends them."""
    kind = "Sender" if error.status < 500 else "Receiver"
    body = (
        f'<ErrorResponse xmlns="{namespace}"><Error><Type>{kind}</Type>'
        f"<Code>{escape(error.code)}</Code><Message>{escape(error.message)}</Message></Error>"
        f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    )
    return error.status, {"Content-Type": "text/xml"}, body


class SimulatedSTSResponse(TokenResponse):
    """AssumeRole and GetCallerIdentity for a caller already identified: ``access_key``
    reached ``account_id``. ``clock`` gives wall-clock epoch seconds."""

    def __init__(
        self,
        credentials: Credentials,
        access_key: str | None,
        account_id: str,
        clock: Callable[[], float],
    ) -> None:
        super().__init__()
        self._credentials = credentials
        self._caller_key = access_key
        self._caller_account = account_id
        self._clock = clock
        #: The session AssumeRole created, for the caller to count.
        self.session: Session | None = None

    def serve(self, request: Request) -> TYPE_RESPONSE:
        """Answer ``request``; raises ``StsError`` for an error answer."""
        return self._dispatch(request)

    def call_action(self) -> TYPE_RESPONSE:
        """Only the operations the simulator serves: the others moto's handler knows would hand
        out credentials that reach no account."""
        action = self._get_action()
        if action not in STS_OPERATIONS:
            raise StsError(
                "InvalidAction",
                f"{action or 'the request'} is not served by the WorkSpaces simulator "
                f"(it serves {', '.join(STS_OPERATIONS)}).",
            )
        return super().call_action()

    def _caller_arn(self) -> str:
        return self._credentials.identity(self._caller_key, self._caller_account)[1]

    def assume_role(self) -> ActionResult:
        """AssumeRole: temporary credentials that reach the role's account."""
        now = self._clock()
        try:
            session = self._credentials.assume_role(
                self._caller_arn(),
                self._get_param("RoleArn"),
                self._get_param("RoleSessionName"),
                self._get_int_param("DurationSeconds"),
                now,
            )
        except AssumeRoleRefused as exc:
            if exc.access_denied:
                raise StsError("AccessDenied", str(exc), 403) from exc
            raise StsError("ValidationError", str(exc)) from exc
        self.session = session
        return ActionResult(
            {
                "Credentials": {
                    "AccessKeyId": session.access_key_id,
                    "SecretAccessKey": session.secret_access_key,
                    "SessionToken": session.session_token,
                    "Expiration": dt.datetime.fromtimestamp(session.expires_at, tz=dt.UTC),
                },
                "AssumedRoleUser": {
                    "AssumedRoleId": f"{session.role_id}:{session.session_name}",
                    "Arn": session.arn,
                },
            }
        )

    def get_caller_identity(self) -> ActionResult:
        """GetCallerIdentity: who the request's key is, in which account."""
        user_id, arn, account = self._credentials.identity(self._caller_key, self._caller_account)
        return ActionResult({"UserId": user_id, "Account": account, "Arn": arn})


def iam_response(operation: str) -> tuple[int, dict[str, str], str]:
    """IAM's answer: ListAccountAliases lists none (no account has an alias here); any other
    action is not served. Raises ``StsError`` for the latter."""
    if operation not in IAM_OPERATIONS:
        raise StsError(
            "InvalidAction",
            f"{operation or 'the request'} is not served by the WorkSpaces simulator "
            f"(of IAM it serves {', '.join(IAM_OPERATIONS)}).",
        )
    body = (
        f'<ListAccountAliasesResponse xmlns="{IAM_NAMESPACE}"><ListAccountAliasesResult>'
        "<IsTruncated>false</IsTruncated><AccountAliases/></ListAccountAliasesResult>"
        f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata>"
        "</ListAccountAliasesResponse>"
    )
    return 200, {"Content-Type": "text/xml"}, body
