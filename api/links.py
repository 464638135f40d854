"""The backends' web pages as addresses: which record a pasted link shows, and the domains those
links live on.

A ticket's page is READYDESK_WEB_URL with `{tid}` in its path or query (e.g.
`https://helpdesk.example/readydesk/tickets.aspx?tid={tid}`); Kickserv's pages hang off
KICKSERV_WEB_URL (its `{account}` filled in): `/jobs/<job number>`, `/customers/<customer
number>`. Hosts and ASP.NET paths match whatever their case; the scheme may be http or https.
A port is part of the address: a link matches only on the configured one (none given: the
scheme's own).

A link is read as browsers read it (the WHATWG URL Standard, through Ada, the parser Node.js
uses), never as Python's urllib does: `https://evil.example\\@app.kickserv.com/…` opens
evil.example in a browser, so it is no Kickserv page here either.
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs

from ada_url import URL

from api.refs import CustomerRef, JobRef, TicketRef

TID = "{tid}"
TID_MARK = "deskhandtid"  # stands in for `{tid}` while a configured page is parsed as a URL
_NUMBER = re.compile(r"\d{1,12}")
_KICKSERV_PAGE = re.compile(r"/(jobs|customers)/(\d{1,12})/?", re.IGNORECASE)

LINK_MAX = 1000  # longer links are no record page of these (and are not kept as live cards)
LinkedRecord = TicketRef | JobRef | CustomerRef


@dataclass(frozen=True)
class Address:
    """What a browser opens for a link: host, port, path and query as the WHATWG URL Standard
    reads them (a backslash is a slash, userinfo is not the host, tabs and newlines are dropped,
    the host is percent-decoded, lower case and IDNA; dot segments are resolved)."""

    host: str  # without the one trailing dot a fully qualified name may end with
    port: str  # "" for the scheme's own
    path: str
    query: str  # without its "?"


def address(url: str) -> Address | None:
    """The http(s) address a browser would open for `url`, or None for anything else."""
    try:
        parsed = URL(url)
    except ValueError:  # not a URL by the standard (a browser would not open it either)
        return None
    if parsed.protocol not in ("http:", "https:") or not parsed.hostname:
        return None
    host = parsed.hostname.removesuffix(".")
    return Address(host, parsed.port, parsed.pathname, parsed.search.removeprefix("?"))


class RecordLinks:
    """Reads links to ReadyDesk tickets and Kickserv jobs and customers."""

    def __init__(self, readydesk_web_url: str | None, kickserv_web_url: str | None) -> None:
        self._ticket = _TicketPage(readydesk_web_url) if readydesk_web_url else None
        kickserv = address(kickserv_web_url) if kickserv_web_url else None
        host = kickserv.host if kickserv else ""
        # An account slug in the host that is not known yet leaves no host to match.
        self._kickserv_host = host if host and not host.startswith((".", "{")) else ""
        self._kickserv_port = kickserv.port if kickserv else ""
        self._kickserv_path = kickserv.path.rstrip("/").lower() if kickserv else ""
        self._kickserv_pages = (kickserv_web_url or "").rstrip("/")

    def job_page(self, job_number: str) -> str:
        """The Kickserv web app's page of a job ("" when the pages are not known)."""
        return f"{self._kickserv_pages}/jobs/{job_number}" if self._kickserv_host else ""

    def record(self, url: str) -> LinkedRecord | None:
        """The ticket, job or customer a browser opens for `url`, or None for any other page."""
        link = address(url) if len(url) <= LINK_MAX else None
        if link is None:
            return None
        if self._ticket is not None:
            ticket_id = self._ticket.ticket_id(link)
            if ticket_id is not None:
                return TicketRef(ticket_id=ticket_id)
        kickserv = (self._kickserv_host, self._kickserv_port)
        if not self._kickserv_host or (link.host, link.port) != kickserv:
            return None
        if not link.path.lower().startswith(self._kickserv_path + "/"):
            return None
        page = _KICKSERV_PAGE.fullmatch(link.path[len(self._kickserv_path) :])
        number = int(page.group(2)) if page else 0
        if page is None or not number:  # number 0 is no record's
            return None
        if page.group(1).lower() == "jobs":
            return JobRef(job_number=number)
        return CustomerRef(kickserv_number=number)

    def domains(self) -> list[str]:
        """The hosts these links live on, as a Slack manifest's `unfurl_domains` lists them."""
        hosts = [self._ticket.host if self._ticket else "", self._kickserv_host]
        return list(dict.fromkeys(h for h in hosts if h))


class _TicketPage:
    """READYDESK_WEB_URL as a pattern: its host and path, and where `{tid}` sits."""

    def __init__(self, template: str) -> None:
        page = address(template.replace(TID, TID_MARK))
        host = page.host if page else ""
        self.host = host if TID_MARK not in host and "{" not in host else ""
        self._port = page.port if page else ""
        path = page.path if page else ""
        self._in_path = TID_MARK in path
        pattern = re.escape(path).replace(TID_MARK, r"(\d{1,12})")
        self._path = re.compile(pattern, re.IGNORECASE)
        query = _query(page.query) if page else {}
        self._query = {name: TID if value == TID_MARK else value for name, value in query.items()}

    def ticket_id(self, link: Address) -> int | None:
        """The ticket number in a link to this page, or None."""
        if not self.host or (link.host, link.port) != (self.host, self._port):
            return None
        path = self._path.fullmatch(link.path)
        if path is None:
            return None
        if self._in_path:
            return int(path.group(1)) or None
        given = _query(link.query)
        # Every fixed variable must be as configured, wherever it sits beside the ticket's.
        if any(given.get(name) != value for name, value in self._query.items() if value != TID):
            return None
        number = next((given.get(name, "") for name, v in self._query.items() if v == TID), "")
        return (int(number) or None) if _NUMBER.fullmatch(number) else None


def _query(query: str) -> dict[str, str]:
    """A query's variables, names in lower case (ASP.NET reads them whatever the case)."""
    return {k.lower(): v[0] for k, v in parse_qs(query).items()}
