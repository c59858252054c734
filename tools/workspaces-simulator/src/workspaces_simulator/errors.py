"""Service errors the simulator answers with, on top of moto's WorkSpaces exceptions.

All of them are moto ``JsonRESTError`` subclasses, so they serialise the way the
AWS JSON 1.1 protocol does (``{"__type": ..., "message": ...}`` plus the
``X-Amzn-ErrorType`` header) and botocore parses the error code from them.
"""

from __future__ import annotations

from typing import ClassVar

from moto.core.exceptions import JsonRESTError
from moto.workspaces.exceptions import (
    InvalidParameterValuesException,
    ResourceNotFoundException,
    ValidationException,
)

__all__ = [
    "FAILED_INVALID_STATE",
    "FAILED_NOT_FOUND",
    "FAILED_UNSUPPORTED",
    "AccessDeniedException",
    "InvalidParameterValuesException",
    "InvalidResourceStateException",
    "JsonRESTError",
    "NotImplementedByTheSimulator",
    "OperationNotSupportedException",
    "ResourceLimitExceededException",
    "ResourceNotFoundException",
    "ServerError",
    "SimulatedServiceError",
    "ThrottlingException",
    "ValidationException",
    "error_response",
]

#: FailedRequests codes used by the batch operations.
FAILED_NOT_FOUND = "ResourceNotFound.Workspace"
FAILED_INVALID_STATE = "InvalidResourceState.Workspace"
#: FailedRequests code for starting or stopping an ALWAYS_ON WorkSpace (the simulator's choice).
FAILED_UNSUPPORTED = "UnsupportedOperation"


class InvalidResourceStateException(JsonRESTError):
    """The WorkSpace is not in a state that allows the operation."""

    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("InvalidResourceStateException", message)


class ResourceLimitExceededException(JsonRESTError):
    """A limit of the account or resource would be exceeded (e.g. 50 tags per resource)."""

    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("ResourceLimitExceededException", message)


class OperationNotSupportedException(JsonRESTError):
    """The operation is not supported for the WorkSpace (whole call rejected)."""

    code = 400

    def __init__(self, message: str = "This operation is not supported.") -> None:
        super().__init__("OperationNotSupportedException", message)


class AccessDeniedException(JsonRESTError):
    """The caller is not allowed to call the operation."""

    code = 400

    def __init__(self, operation: str) -> None:
        super().__init__(
            "AccessDeniedException",
            f"User is not authorized to perform: workspaces:{operation}",
        )


class ThrottlingException(JsonRESTError):
    """The per-operation token bucket is empty."""

    code = 400

    def __init__(self) -> None:
        super().__init__("ThrottlingException", "Rate exceeded")


class ServerError(JsonRESTError):
    """A transient 5xx answer (503 ServiceUnavailable or 500 InternalServerError)."""

    CODES: ClassVar[dict[int, str]] = {500: "InternalServerError", 503: "ServiceUnavailable"}

    def __init__(self, status: int = 503) -> None:
        super().__init__(
            self.CODES[status], "The service is temporarily unable to handle the request."
        )
        self.code = status


class SimulatedServiceError(JsonRESTError):
    """An arbitrary error code chosen in a fault configuration."""

    def __init__(self, error_type: str, message: str, status: int = 400) -> None:
        super().__init__(error_type, message)
        self.code = status


class NotImplementedByTheSimulator(JsonRESTError):
    """A valid WorkSpaces operation that neither moto nor the simulator implements."""

    code = 501

    def __init__(self, operation: str) -> None:
        super().__init__(
            "NotImplementedException",
            f"{operation} is not implemented by the WorkSpaces simulator.",
        )


def error_response(error: JsonRESTError) -> tuple[int, dict[str, str], str]:
    """Status, headers and body of an error, exactly as moto would send them."""
    headers = dict(error.get_headers())
    return int(error.code or 400), headers, error.get_body()
