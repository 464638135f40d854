"""Logging for the bot process: one line per record, the request id on each, secrets redacted."""

import contextvars
import logging
from collections.abc import Iterable

from api.http import RedactingFormatter, register_secret

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Stamps each record with the id of the Slack request being handled (or `-`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add `record.request_id`; never drops a record."""
        record.request_id = request_id.get()
        return True


def configure_logging(level: int = logging.INFO, secrets: Iterable[str] = ()) -> None:
    """Log to stderr as `time level logger [request id] message`, scrubbed of every secret."""
    for secret in secrets:
        register_secret(secret)
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO, and ReadyDesk's key rides in the URL.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
