"""Typed failures of the API layer: each names its backend and carries a message fit for a user."""


class BackendError(Exception):
    """A backend call failed; `str(error)` is safe to show a user (no URLs, no keys)."""

    def __init__(self, message: str, *, backend: str, action: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.backend = backend
        self.action = action


class NotFound(BackendError):
    """The record asked for does not exist."""


class InvalidRequest(BackendError):
    """The backend refused the input; `field_errors` maps input names to what is wrong."""

    def __init__(
        self,
        message: str,
        *,
        backend: str,
        action: str | None = None,
        field_errors: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message, backend=backend, action=action)
        self.field_errors = field_errors or {}


class AuthFailed(BackendError):
    """The backend refused our credentials (bad key, IP not allowed, no permission)."""


class Unavailable(BackendError):
    """The backend could not be reached or failed on its side (timeouts, 5xx).

    `maybe_applied` is True when a request may have reached the backend and been carried out
    although no answer came back (a timeout or a dropped connection after sending): for a write,
    the outcome is unknown.
    """

    def __init__(
        self, message: str, *, backend: str, action: str | None = None, maybe_applied: bool = False
    ) -> None:
        super().__init__(message, backend=backend, action=action)
        self.maybe_applied = maybe_applied


class RateLimited(BackendError):
    """The backend asked us to slow down; `retry_after` is in seconds when it said so."""

    def __init__(
        self,
        message: str,
        *,
        backend: str,
        action: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, backend=backend, action=action)
        self.retry_after = retry_after


class MalformedResponse(BackendError):
    """The backend answered with something we cannot read (HTML page, truncated or bad XML/JSON)."""


# The name of each kind of failure, the same on /metrics (a call's outcome) and /readyz (why a
# backend is not ready): the kind, never the backend's words, which may quote a secret.
_FAILURE_NAMES: tuple[tuple[type[BackendError], str], ...] = (
    (NotFound, "not_found"),
    (AuthFailed, "auth_failed"),
    (InvalidRequest, "invalid"),
    (RateLimited, "rate_limited"),
    (Unavailable, "unavailable"),
    (MalformedResponse, "malformed"),
)


def failure_name(error: BaseException) -> str:
    """What kind of failure `error` is, as /metrics and /readyz name it ('error' when none)."""
    return next((name for kind, name in _FAILURE_NAMES if isinstance(error, kind)), "error")
