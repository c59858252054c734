"""Server-side request validation against the botocore WorkSpaces model.

The real service checks every request against its model (list sizes, integer
ranges, patterns, enums, required members) before doing anything and answers
``ValidationException`` with a "N validation error(s) detected" message.
Clients usually validate too, but not for maximums, so limits such as "exactly
one RebuildWorkspaceRequest" or "at most 25 WorkspaceIds" are enforced here,
derived from the model rather than restated by hand.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

import botocore.session
from botocore.model import ListShape, OperationModel, ServiceModel, Shape, StructureShape

from .errors import ValidationException


@functools.lru_cache(maxsize=1)
def service_model() -> ServiceModel:
    """The botocore WorkSpaces model (loaded once)."""
    return botocore.session.get_session().get_service_model("workspaces")


def operation_model(operation: str) -> OperationModel | None:
    """The model of one operation, or None when WorkSpaces has no such operation."""
    model = service_model()
    if operation not in model.operation_names:
        return None
    return model.operation_model(operation)


def _lower_camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 200 else text[:197] + "..."


class _Validator:
    """Collects constraint violations while walking a request."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, value: Any, path: str, constraint: str) -> None:
        """Record one violation in the service's wording."""
        self.errors.append(
            f"Value '{_show(value)}' at '{path}' failed to satisfy constraint: {constraint}"
        )

    def check(self, shape: Shape, value: Any, path: str) -> None:
        """Check ``value`` (found at ``path``) against ``shape``, recursively."""
        if isinstance(shape, StructureShape):
            self._structure(shape, value, path)
        elif isinstance(shape, ListShape):
            self._list(shape, value, path)
        elif shape.type_name == "string":
            self._string(shape, value, path)
        elif shape.type_name in ("integer", "long"):
            self._number(shape, value, path)

    def _structure(self, shape: StructureShape, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            return
        prefix = f"{path}." if path else ""
        for name in shape.required_members:
            if value.get(name) is None:
                self.fail(None, prefix + _lower_camel(name), "Member must not be null")
        for name, member in shape.members.items():
            if value.get(name) is not None:
                self.check(member, value[name], prefix + _lower_camel(name))

    def _list(self, shape: ListShape, value: Any, path: str) -> None:
        if not isinstance(value, list):
            return
        self._length(shape, value, path)
        for index, item in enumerate(value, start=1):
            if item is not None:
                self.check(shape.member, item, f"{path}.{index}.member")

    def _length(self, shape: Shape, value: Any, path: str) -> None:
        minimum = shape.metadata.get("min")
        maximum = shape.metadata.get("max")
        if minimum is not None and len(value) < minimum:
            self.fail(value, path, f"Member must have length greater than or equal to {minimum}")
        if maximum is not None and len(value) > maximum:
            self.fail(value, path, f"Member must have length less than or equal to {maximum}")

    def _string(self, shape: Shape, value: Any, path: str) -> None:
        if not isinstance(value, str):
            return
        self._length(shape, value, path)
        pattern = shape.metadata.get("pattern")
        if pattern and not re.search(pattern, value):
            self.fail(value, path, f"Member must satisfy regular expression pattern: {pattern}")
        enum = shape.metadata.get("enum")
        if enum and value not in enum:
            self.fail(value, path, f"Member must satisfy enum value set: [{', '.join(enum)}]")

    def _number(self, shape: Shape, value: Any, path: str) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            return
        minimum = shape.metadata.get("min")
        maximum = shape.metadata.get("max")
        if minimum is not None and value < minimum:
            self.fail(value, path, f"Member must have value greater than or equal to {minimum}")
        if maximum is not None and value > maximum:
            self.fail(value, path, f"Member must have value less than or equal to {maximum}")


def validate_request(operation: str, params: dict[str, Any]) -> None:
    """Raise ValidationException when ``params`` break the operation's model constraints."""
    model = operation_model(operation)
    if model is None or model.input_shape is None:
        return
    validator = _Validator()
    validator.check(model.input_shape, params, "")
    if validator.errors:
        count = len(validator.errors)
        noun = "error" if count == 1 else "errors"
        raise ValidationException(
            f"{count} validation {noun} detected: " + "; ".join(validator.errors)
        )
