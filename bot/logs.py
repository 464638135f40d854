"""Logging for the bot process: one line per record (text, or one JSON object a line), the
request id on each, secrets redacted."""

import contextvars
import json
import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime

from api.http import RedactingFormatter, Secrets, redact, secrets_of

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
# A Socket Mode URL's `ticket` lets whoever holds it take the app's connection: slack-sdk's own
# error lines print the URL whole. Only WebSocket URLs: a help desk's web links may well have
# a `ticket=` of their own.
_SOCKET_TICKET = re.compile(r"(?i)(?P<url>wss?://[^\s\"'<>]*?[?&]ticket=)[^&\s\"'<>]*")


def scrub(text: str) -> str:
    """`text` without secrets: every known secret and credential (api.http.redact), and the
    ticket of any Socket Mode URL."""
    if "ticket=" in text:
        text = _SOCKET_TICKET.sub(r"\g<url>***", text)
    return redact(text)


class RequestIdFilter(logging.Filter):
    """Stamps each record with the id of the Slack request being handled (or `-`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add `record.request_id`; never drops a record."""
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a record: time, level, logger, request_id, message (and the traceback),
    each scrubbed of secrets before it is encoded."""

    secrets: Secrets | None = None  # the ones it was configured with, enrolled while it lives

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": scrub(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = scrub(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(RedactingFormatter):
    """`time level logger [request id] message`, the whole line scrubbed (`scrub`)."""

    secrets: Secrets | None = None  # the ones it was configured with, enrolled while it lives

    def format(self, record: logging.LogRecord) -> str:
        """Format as usual, then scrub."""
        return scrub(super().format(record))


def configure_logging(
    level: int = logging.INFO, secrets: Iterable[str] = (), log_format: str = "text"
) -> None:
    """Log to stderr as `time level logger [request id] message` (or, for `json`, one JSON
    object a line with the same fields), scrubbed of every secret."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    formatter: JsonFormatter | TextFormatter
    if log_format == "json":
        formatter = JsonFormatter()
    else:
        formatter = TextFormatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
    # Every app in the process enrols its own too: the handler hides the secrets of them all.
    formatter.secrets = secrets_of(secrets)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO, and ReadyDesk's key rides in the URL.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
