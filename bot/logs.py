"""Logging for the bot process: one line per record (text, or one JSON object a line), the
request id on each, secrets redacted."""

import contextvars
import json
import logging
from collections.abc import Iterable
from datetime import UTC, datetime

from api.http import RedactingFormatter, redact, register_secret

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Stamps each record with the id of the Slack request being handled (or `-`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add `record.request_id`; never drops a record."""
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a record: time, level, logger, request_id, message (and the traceback),
    each scrubbed of secrets before it is encoded."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": redact(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = redact(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(
    level: int = logging.INFO, secrets: Iterable[str] = (), log_format: str = "text"
) -> None:
    """Log to stderr as `time level logger [request id] message` (or, for `json`, one JSON
    object a line with the same fields), scrubbed of every secret."""
    for secret in secrets:
        register_secret(secret)
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            RedactingFormatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO, and ReadyDesk's key rides in the URL.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
