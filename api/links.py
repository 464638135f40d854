"""The backends' web pages as addresses: which record a pasted link shows, and the domains those
links live on.

A ticket's page is READYDESK_WEB_URL with `{tid}` in its path or query (e.g.
`https://helpdesk.example/readydesk/tickets.aspx?tid={tid}`); Kickserv's pages hang off
KICKSERV_WEB_URL (its `{account}` filled in): `/jobs/<job number>`, `/customers/<customer
number>`. Hosts and ASP.NET paths match whatever their case; the scheme may be http or https.
"""

import re
from urllib.parse import SplitResult, parse_qs, urlsplit

from api.refs import CustomerRef, JobRef, TicketRef

TID = "{tid}"
_NUMBER = re.compile(r"\d{1,12}")
_KICKSERV_PAGE = re.compile(r"/(jobs|customers)/(\d{1,12})/?", re.IGNORECASE)

LINK_MAX = 1000  # longer links are no record page of these (and are not kept as live cards)
LinkedRecord = TicketRef | JobRef | CustomerRef


class RecordLinks:
    """Reads links to ReadyDesk tickets and Kickserv jobs and customers."""

    def __init__(self, readydesk_web_url: str | None, kickserv_web_url: str | None) -> None:
        self._ticket = _TicketPage(readydesk_web_url) if readydesk_web_url else None
        kickserv = urlsplit(kickserv_web_url) if kickserv_web_url else None
        host = kickserv.hostname if kickserv else None
        # An account slug in the host that is not known yet leaves no host to match.
        self._kickserv_host = host if host and not host.startswith((".", "{")) else ""
        self._kickserv_path = kickserv.path.rstrip("/").lower() if kickserv else ""

    def record(self, url: str) -> LinkedRecord | None:
        """The ticket, job or customer `url` shows, or None for any other page."""
        if len(url) > LINK_MAX:
            return None
        try:
            parts = urlsplit(url.strip())
        except ValueError:
            return None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None
        if self._ticket is not None:
            ticket_id = self._ticket.ticket_id(parts)
            if ticket_id is not None:
                return TicketRef(ticket_id=ticket_id)
        if self._kickserv_host and parts.hostname == self._kickserv_host:
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
        self.host = (parts.hostname or "").lower()
        self._in_path = TID in parts.path
        pattern = re.escape(parts.path).replace(re.escape(TID), r"(\d{1,12})")
        self._path = re.compile(pattern, re.IGNORECASE)
        self._query = _query(parts)

    def ticket_id(self, parts: SplitResult) -> int | None:
        """The ticket number in a link to this page, or None."""
        if "{" in self.host or parts.hostname != self.host:
            return None
        path = self._path.fullmatch(parts.path)
        if path is None:
            return None
        if self._in_path:
            return int(path.group(1))
        given = _query(parts)
        for name, value in self._query.items():
            if value == TID:
                number = given.get(name, "")
                return int(number) if _NUMBER.fullmatch(number) else None
            if given.get(name) != value:
                return None
        return None


def _query(parts: SplitResult) -> dict[str, str]:
    """A link's query variables, names in lower case (ASP.NET reads them whatever the case)."""
    return {k.lower(): v[0] for k, v in parse_qs(parts.query).items()}
