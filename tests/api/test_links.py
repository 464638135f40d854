"""Which pasted links are records: the ticket page READYDESK_WEB_URL describes (wherever its
`{tid}` sits), and Kickserv's job and customer pages under KICKSERV_WEB_URL."""

import pytest

from api.links import RecordLinks
from api.refs import CustomerRef, JobRef, TicketRef

IN_QUERY = RecordLinks(
    "https://helpdesk.example/readydesk/tickets.aspx?view=full&tid={tid}",
    "https://app.kickserv.com/fieldcrew",
)
IN_PATH = RecordLinks("https://desk.example/tickets/{tid}/view", None)
TID_FIRST = RecordLinks("https://helpdesk.example/tickets.aspx?tid={tid}&view=full", None)
ON_A_PORT = RecordLinks("http://desk.local:8080/tickets/{tid}", "http://ks.local:8081/fieldcrew")


@pytest.mark.parametrize(
    ("links", "url", "record"),
    [
        (
            IN_QUERY,
            "https://helpdesk.example/readydesk/tickets.aspx?view=full&tid=34",
            TicketRef(ticket_id=34),
        ),
        (
            IN_QUERY,
            "http://HELPDESK.example/ReadyDesk/Tickets.aspx?TID=34&view=full",
            TicketRef(ticket_id=34),
        ),
        (IN_QUERY, "https://helpdesk.example/readydesk/tickets.aspx?view=brief&tid=34", None),
        (IN_QUERY, "https://helpdesk.example/readydesk/tickets.aspx?view=full&tid=34x", None),
        (IN_QUERY, "https://helpdesk.example/readydesk/reports.aspx?view=full&tid=34", None),
        (IN_QUERY, "https://evil.example/readydesk/tickets.aspx?view=full&tid=34", None),
        (IN_QUERY, "https://app.kickserv.com/fieldcrew/jobs/86001", JobRef(job_number=86001)),
        (
            IN_QUERY,
            "https://app.kickserv.com/FieldCrew/customers/380/",
            CustomerRef(kickserv_number=380),
        ),
        (IN_QUERY, "https://app.kickserv.com/othercrew/jobs/86001", None),
        (IN_QUERY, "https://app.kickserv.com/fieldcrew/invoices/5", None),
        (IN_QUERY, "https://app.kickserv.com/fieldcrew/jobs/86001/edit", None),
        (IN_QUERY, "mailto:office@helpdesk.example", None),
        (IN_QUERY, "https://app.kickserv.com/fieldcrew/jobs/" + "9" * 2000, None),
        (IN_PATH, "https://desk.example/tickets/12/view", TicketRef(ticket_id=12)),
        (IN_PATH, "https://desk.example/tickets/12/edit", None),
        (IN_PATH, "https://app.kickserv.com/fieldcrew/jobs/86001", None),  # no Kickserv pages
        # Every fixed query variable is checked, whichever order the page or the link has.
        (IN_QUERY, "https://helpdesk.example/readydesk/tickets.aspx?tid=34", None),
        (
            TID_FIRST,
            "https://helpdesk.example/tickets.aspx?tid=34&view=full",
            TicketRef(ticket_id=34),
        ),
        (
            TID_FIRST,
            "https://helpdesk.example/tickets.aspx?view=full&tid=34",
            TicketRef(ticket_id=34),
        ),
        (TID_FIRST, "https://helpdesk.example/tickets.aspx?tid=34&view=brief", None),
        (TID_FIRST, "https://helpdesk.example/tickets.aspx?view=brief&tid=34", None),
        (TID_FIRST, "https://helpdesk.example/tickets.aspx?tid=34", None),
        # A port is part of the address (none given: the scheme's own).
        (IN_QUERY, "https://helpdesk.example:8443/readydesk/tickets.aspx?view=full&tid=34", None),
        (
            IN_QUERY,
            "https://helpdesk.example:443/readydesk/tickets.aspx?view=full&tid=34",
            TicketRef(ticket_id=34),
        ),
        (IN_QUERY, "https://app.kickserv.com:8443/fieldcrew/jobs/86001", None),
        (IN_QUERY, "https://helpdesk.example:http/readydesk/tickets.aspx?view=full&tid=34", None),
        (ON_A_PORT, "http://desk.local:8080/tickets/12", TicketRef(ticket_id=12)),
        (ON_A_PORT, "http://desk.local/tickets/12", None),
        (ON_A_PORT, "http://desk.local:9090/tickets/12", None),
        (ON_A_PORT, "http://ks.local:8081/fieldcrew/jobs/86001", JobRef(job_number=86001)),
        (ON_A_PORT, "http://ks.local/fieldcrew/jobs/86001", None),
    ],
)
def test_a_link_is_the_record_its_page_shows_or_none(links, url, record):
    assert links.record(url) == record


def test_the_unfurl_domains_are_the_configured_hosts():
    assert IN_QUERY.domains() == ["helpdesk.example", "app.kickserv.com"]
    assert IN_PATH.domains() == ["desk.example"]
    assert ON_A_PORT.domains() == ["desk.local", "ks.local"]  # Slack's domains carry no port
    for unknown_account in ("https://{account}.kickserv.example/", "https://.kickserv.example/"):
        assert RecordLinks(None, unknown_account).domains() == []


def test_a_configured_page_whose_port_is_no_number_matches_no_link():
    links = RecordLinks("https://desk.example:http/tickets/{tid}", "https://ks.example:x/crew")
    assert links.record("https://desk.example/tickets/12") is None
    assert links.record("https://ks.example/crew/jobs/86001") is None
    assert links.domains() == []


# Links are read as browsers read them (the WHATWG URL Standard): only what a browser would
# open on the configured host is that host's record.
JOB = JobRef(job_number=86001)
TICKET = TicketRef(ticket_id=34)


BROWSER_READS = [
    # A backslash is a slash: the host ends there.
    ("https://evil.example\\@app.kickserv.com/fieldcrew/jobs/86001", None),
    ("https://evil.example\\.app.kickserv.com/fieldcrew/jobs/86001", None),
    ("https://evil.example\\@helpdesk.example/readydesk/tickets.aspx?view=full&tid=34", None),
    ("https://app.kickserv.com\\fieldcrew\\jobs\\86001", JOB),
    # Userinfo is not the host, whichever side of the @ a host-like name sits.
    ("https://app.kickserv.com@evil.example/fieldcrew/jobs/86001", None),
    ("https://pat:pw@app.kickserv.com/fieldcrew/jobs/86001", JOB),
    ("https://evil.example%5C@app.kickserv.com/fieldcrew/jobs/86001", JOB),
    # Tabs and newlines anywhere are dropped; spaces around the link are trimmed.
    ("https://app.kick\nserv.com/fieldcrew/jo\tbs/86001", JOB),
    (" \thttps://app.kickserv.com/fieldcrew/jobs/86001\n", JOB),
    # The host is percent-decoded, lower-cased and IDNA-mapped.
    ("https://app%2Ekickserv%2ecom/fieldcrew/jobs/86001", JOB),
    ("https://APP.KickServ.COM/fieldcrew/jobs/86001", JOB),
    ("https://app\u3002kickserv\u3002com/fieldcrew/jobs/86001", JOB),
    ("https://app.kickserv.com%2Eevil.example/fieldcrew/jobs/86001", None),
    # A fully qualified host's trailing dot is the same host; two dots are not.
    ("https://app.kickserv.com./fieldcrew/jobs/86001", JOB),
    ("https://app.kickserv.com../fieldcrew/jobs/86001", None),
    # The scheme's own port is no port; the scheme's slashes may be missing or many.
    ("HTTPS://app.kickserv.com:443/fieldcrew/jobs/86001", JOB),
    ("https:app.kickserv.com/fieldcrew/jobs/86001", JOB),
    ("https:////app.kickserv.com/fieldcrew/jobs/86001", JOB),
    # Dot segments are resolved, as the browser resolves them before asking.
    ("https://app.kickserv.com/fieldcrew/x/../jobs/86001", JOB),
    ("https://app.kickserv.com/othercrew/../fieldcrew/jobs/86001", JOB),
    ("https://app.kickserv.com/fieldcrew/../othercrew/jobs/86001", None),
    ("https://helpdesk.example/readydesk/./tickets.aspx?view=full&tid=34", TICKET),
    # What follows a # is not sent: it cannot name the ticket.
    ("https://helpdesk.example/readydesk/tickets.aspx?view=full#&tid=34", None),
    # Record number 0 is no record.
    ("https://app.kickserv.com/fieldcrew/jobs/0", None),
    ("https://helpdesk.example/readydesk/tickets.aspx?view=full&tid=0", None),
    ("https://[::1]/fieldcrew/jobs/86001", None),
    ("https://app.kickserv.com:99999/fieldcrew/jobs/86001", None),  # no such port
]


def test_a_link_is_the_record_a_browser_would_open():
    # One table, every rule: urllib agreed with browsers on some rows and not on others.
    read = [(url, IN_QUERY.record(url)) for url, _ in BROWSER_READS]
    assert read == BROWSER_READS


def test_the_configured_pages_are_read_the_same_way():
    links = RecordLinks(
        "HTTPS://HelpDesk.Example.:443/readydesk/x/../tickets.aspx?view=full&tid={tid}",
        "https://App.Kickserv.com./fieldcrew/",
    )
    assert links.domains() == ["helpdesk.example", "app.kickserv.com"]
    assert (
        links.record("https://helpdesk.example/readydesk/tickets.aspx?view=full&tid=34") == TICKET
    )
    assert links.record("https://app.kickserv.com/fieldcrew/jobs/86001") == JOB
