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
