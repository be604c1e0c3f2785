"""Errors a user can see. Each carries a stable code, an exit code (INTERFACE.md: 1 refused,
2 bad input) and a message saying what was wrong and what to do."""

from __future__ import annotations

from typing import Any


class NoncoopError(Exception):
    exit_code = 2
    code = "error"

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details

    def to_json(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, **self.details}}


class BadInput(NoncoopError):
    """Input that cannot be understood (exit 2)."""

    exit_code = 2
    code = "bad_input"


class NotFound(BadInput):
    code = "not_found"


class Refused(NoncoopError):
    """A well-formed action that a rule of the procedure forbids (exit 1)."""

    exit_code = 1
    code = "refused"


class Conflict(Refused):
    """Another writer changed the case first (optimistic locking)."""

    code = "conflict"
