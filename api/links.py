"""The backends' web pages as addresses: which record a pasted link shows, and the domains those
links live on.

A ticket's page is READYDESK_WEB_URL with `{tid}` in its path or query (e.g.
`https://helpdesk.example/readydesk/tickets.aspx?tid={tid}`); Kickserv's pages hang off
KICKSERV_WEB_URL (its `{account}` filled in): `/jobs/<job number>`, `/customers/<customer
number>`. Hosts and ASP.NET paths match whatever their case; the scheme may be http or https.
A port is part of the address: a link matches only on the configured one (none given: the
scheme's own).
"""

import re
from urllib.parse import SplitResult, parse_qs, urlsplit

from api.refs import CustomerRef, JobRef, TicketRef

TID = "{tid}"
_NUMBER = re.compile(r"\d{1,12}")
_KICKSERV_PAGE = re.compile(r"/(jobs|customers)/(\d{1,12})/?", re.IGNORECASE)

LINK_MAX = 1000  # longer links are no record page of these (and are not kept as live cards)
DEFAULT_PORTS = {"http": 80, "https": 443}
LinkedRecord = TicketRef | JobRef | CustomerRef


class RecordLinks:
    """Reads links to ReadyDesk tickets and Kickserv jobs and customers."""

    def __init__(self, readydesk_web_url: str | None, kickserv_web_url: str | None) -> None:
        self._ticket = _TicketPage(readydesk_web_url) if readydesk_web_url else None
        kickserv = urlsplit(kickserv_web_url) if kickserv_web_url else None
        host = kickserv.hostname if kickserv else None
        # An account slug in the host that is not known yet leaves no host to match.
        self._kickserv_host = host if host and not host.startswith((".", "{")) else ""
        self._kickserv_port = _template_port(kickserv) if kickserv else None
        if self._kickserv_port == -1:  # no port Kickserv's links could carry
            self._kickserv_host = ""
        self._kickserv_path = kickserv.path.rstrip("/").lower() if kickserv else ""

    def record(self, url: str) -> LinkedRecord | None:
        """The ticket, job or customer `url` shows, or None for any other page."""
        if len(url) > LINK_MAX:
            return None
        try:
            parts = urlsplit(url.strip())
            port = port_of(parts)
        except ValueError:  # not a URL, or a port that is no number
            return None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None
        if self._ticket is not None:
            ticket_id = self._ticket.ticket_id(parts, port)
            if ticket_id is not None:
                return TicketRef(ticket_id=ticket_id)
        kickserv = (self._kickserv_host, self._kickserv_port)
        if self._kickserv_host and (parts.hostname, port) == kickserv:
            path = parts.path
            if not path.lower().startswith(self._kickserv_path + "/"):
                return None
            page = _KICKSERV_PAGE.fullmatch(path[len(self._kickserv_path) :])
            if page and page.group(1).lower() == "jobs":
                return JobRef(job_number=int(page.group(2)))
            if page:
                return CustomerRef(kickserv_number=int(page.group(2)))
        return None

    def domains(self) -> list[str]:
        """The hosts these links live on, as a Slack manifest's `unfurl_domains` lists them."""
        hosts = [self._ticket.host if self._ticket else "", self._kickserv_host]
        return list(dict.fromkeys(h for h in hosts if h))


class _TicketPage:
    """READYDESK_WEB_URL as a pattern: its host and path, and where `{tid}` sits."""

    def __init__(self, template: str) -> None:
        parts = urlsplit(template)
        self._port = _template_port(parts)
        self.host = (parts.hostname or "").lower() if self._port != -1 else ""
        self._in_path = TID in parts.path
        pattern = re.escape(parts.path).replace(re.escape(TID), r"(\d{1,12})")
        self._path = re.compile(pattern, re.IGNORECASE)
        self._query = _query(parts)

    def ticket_id(self, parts: SplitResult, port: int | None) -> int | None:
        """The ticket number in a link to this page (`port`: the link's, as `port_of` reads
        it), or None."""
        if not self.host or "{" in self.host or (parts.hostname, port) != (self.host, self._port):
            return None
        path = self._path.fullmatch(parts.path)
        if path is None:
            return None
        if self._in_path:
            return int(path.group(1))
        given = _query(parts)
        # Every fixed variable must be as configured, wherever it sits beside the ticket's.
        if any(given.get(name) != value for name, value in self._query.items() if value != TID):
            return None
        number = next((given.get(name, "") for name, v in self._query.items() if v == TID), "")
        return int(number) if _NUMBER.fullmatch(number) else None


def port_of(parts: SplitResult) -> int | None:
    """The port an address names, None for its scheme's own (so `https://host:443/` and
    `https://host/` are one address; http and https links to one page both match). Raises
    ValueError for a port that is no number."""
    port = parts.port
    return None if port == DEFAULT_PORTS.get(parts.scheme) else port


def _template_port(parts: SplitResult) -> int | None:
    """A configured page's port as `port_of` reads it; -1 for one that is no number."""
    try:
        return port_of(parts)
    except ValueError:
        return -1


def _query(parts: SplitResult) -> dict[str, str]:
    """A link's query variables, names in lower case (ASP.NET reads them whatever the case)."""
    return {k.lower(): v[0] for k, v in parse_qs(parts.query).items()}
