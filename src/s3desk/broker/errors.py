"""Refusals: an HTTP status, a stable code for programs, and a sentence for people."""

from __future__ import annotations


class Refusal(Exception):
    """The request cannot be served; ``message`` is shown to the user as is."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict[str, str]:
        return {"error": self.code, "message": self.message}


def bad_request(message: str) -> Refusal:
    return Refusal(400, "bad_request", message)


def not_found() -> Refusal:
    # The same answer for an unknown id and another user's: ids reveal nothing.
    return Refusal(404, "not_found", "This upload does not exist (or no longer exists)")
