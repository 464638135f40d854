"""One truth on every surface (issue 25): what a card calls latest or most is computed over every
record, a count beside its query gives the query's number, and money is owed in one sense."""

import re
from dataclasses import replace
from datetime import timedelta

from playground.console import Console
from tests.bot.served import served, texts
from tests.slack_helpers import command_body
from tests.workers.test_watches import _poll, _posts


async def test_the_latest_note_is_the_last_one_written_on_any_page(console: Console):
    kickserv = console.desk.kickserv
    job = next(iter(console.fake("kickserv").state.data.jobs.values()))
    for n in range(1, 31):  # more than one page of Kickserv's notes (25 a page)
        await kickserv.add_note("jobs", job.job_number, f"Visit note {n}")
    [card] = await console.send(f"/job {job.job_number}")
    [latest] = [b for b in card["blocks"] if "Latest note" in str(b)]
    assert latest["elements"][0]["text"].endswith(": Visit note 30")
    [notes] = await console.send("click Notes")
    assert notes["blocks"][1]["text"]["text"] == "Visit note 30"


def _tickets(console: Console):
    return console.fake("readydesk").state.data


def _shown(card: dict) -> list[int]:
    """The ticket numbers a card lists, in order."""
    return [int(n) for n in re.findall(r"\*#(\d+)\*", str(card["blocks"]))]


async def test_most_overdue_is_the_oldest_due_date_of_every_ticket(console: Console):
    data = _tickets(console)
    now = data.now()
    for ticket in data.tickets.values():
        ticket.due_date = None
    unresolved = sorted(t.tid for t in data.tickets.values() if t.status != "Closed")
    closed = min(t.tid for t in data.tickets.values() if t.status == "Closed")
    for tid in unresolved[-60:]:  # the newest sixty: a week overdue
        data.tickets[tid].due_date = now - timedelta(days=7, minutes=tid % 50)
    data.tickets[unresolved[0]].due_date = now - timedelta(days=30)  # the oldest: a month
    data.tickets[closed].due_date = now - timedelta(days=60)  # closed: not overdue at all
    [card] = await console.send("/digest preview overdue")
    shown = _shown(card)
    expected = sorted(unresolved[-60:], key=lambda t: (data.tickets[t].due_date, t))
    assert shown == [unresolved[0], *expected[:9]]
    assert "*61* overdue · `/tickets due:overdue`" in str(card["blocks"])
    [listed] = await console.send("/tickets due:overdue")
    assert listed["blocks"][0]["text"]["text"].startswith("*61 tickets*")


async def test_each_digest_total_is_what_the_query_beside_it_lists(console: Console):
    data = _tickets(console)
    unresolved = [t for t in data.tickets.values() if t.status not in ("Closed", "Resolved")]
    [card] = await console.send("/digest preview unresolved")
    summary = card["blocks"][1]["text"]["text"].splitlines()[0]
    assert summary == f"*{len(unresolved)}* unresolved · `/tickets status:unresolved`"
    [shown] = await console.send("click Show in /tickets")
    [listed] = await console.send("/tickets status:unresolved")
    assert listed["blocks"][0]["text"]["text"].startswith(f"*{len(unresolved)} tickets*")
    newest = sorted((t.tid for t in unresolved), reverse=True)[:10]
    assert _shown(listed) == newest
    assert shown["blocks"][0]["text"]["text"] == listed["blocks"][0]["text"]["text"]
    unassigned = [t for t in unresolved if not t.assigned_tech]
    [card] = await console.send("/digest preview unassigned")
    summary = card["blocks"][1]["text"]["text"].splitlines()[0]
    assert summary == f"*{len(unassigned)}* unassigned · `/tickets status:unresolved tech:none`"
    [shown] = await console.send("click Show in /tickets")
    assert shown["blocks"][0]["text"]["text"].startswith(f"*{len(unassigned)} tickets*")
    named = [t for t in data.tickets.values() if t.status == "Open"]  # the status, not the set
    [opened] = await console.send("/tickets status:open")
    assert opened["blocks"][0]["text"]["text"].startswith(f"*{len(named)} tickets*")


async def test_home_counts_what_its_query_lists(slack):
    async with served(slack) as app:
        await app.store.links.set("U1", set_by="U0BOSS", technician="bob")
        await app.event({"type": "app_home_opened", "user": "U1", "tab": "home"})
        home = texts(slack.home_tabs["U1"]["blocks"])
        tickets = app.readydesk.state.data.tickets.values()
        bobs = [t for t in tickets if t.assigned_tech == "bob" and t.status != "Closed"]
        assert (
            f"*Your unresolved tickets: {len(bobs)}* · `/tickets status:unresolved tech:me`" in home
        )
        body = command_body("/tickets", "status:unresolved tech:me", slack.response_url("mine"))
        await app.post(body, {"Content-Type": "application/x-www-form-urlencoded"})
        [reply] = [c.payload for c in slack.calls if c.name == "mine"]
        assert reply["blocks"][0]["text"]["text"].startswith(f"*{len(bobs)} tickets*")


async def test_what_a_customer_owes_is_what_its_jobs_owe(console: Console):
    data = console.fake("kickserv").state.data
    customer = data.customers[1]
    jobs = [j for j in data.jobs.values() if j.customer_id == customer.id]
    owing = {
        j.job_number: j.balance_remaining
        for j in jobs
        if j.status != "canceled" and j.balance_remaining
    }
    assert len(owing) >= 2  # the sandbox's Demo Company owes on several jobs
    [card] = await console.send("/customer demo")
    text = str(card["blocks"])
    assert f"*Owed*\\n{sum(owing.values()):,.2f}" in text
    each = " + ".join(f"job {n} {owed:,.2f}" for n, owed in sorted(owing.items()))
    assert f"Owed {sum(owing.values()):,.2f} = {each}" in text
    number, owed = next(iter(sorted(owing.items())))
    [job] = await console.send(f"/job {number}")
    assert f" · {owed:,.2f} owed" in str(job["blocks"][1])


async def test_the_customer_cards_ticket_count_is_what_its_query_lists(console: Console):
    mine = [t for t in _tickets(console).tickets.values() if t.cid == "demo"]
    [card] = await console.send("/customer demo")
    assert f"*ReadyDesk tickets: {len(mine)}* · `/tickets customer:demo`" in str(card["blocks"])
    [listed] = await console.send("/tickets customer:demo")
    assert listed["blocks"][0]["text"]["text"].startswith(f"*{len(mine)} ticket")


async def test_a_customer_links_next_job_and_count_cover_every_page_of_jobs(slack):
    kickserv_url = "https://app.kickserv.com/sandbox/customers/1"
    async with served(slack) as app:
        data = app.kickserv.state.data
        customer = data.customers[1]
        template = next(j for j in data.jobs.values() if j.customer_id == customer.id)
        start = data.now() + timedelta(days=3)
        for n in range(30):  # more than a page (25); the soonest is the last made, on page two
            data.jobs[99_000 + n] = replace(
                template,
                id=49_000_000 + n,
                job_number=99_000 + n,
                status="scheduled",
                scheduled_on=start - timedelta(hours=n),
            )
        active = [
            j
            for j in data.jobs.values()
            if j.customer_id == customer.id and j.status in ("in_progress", "scheduled", "on_hold")
        ]
        ahead = [j for j in active if j.scheduled_on and j.scheduled_on >= data.now()]
        soonest = min(ahead, key=lambda j: j.scheduled_on)  # the next visit from now on
        event = {
            "type": "link_shared",
            "channel": "C0SUPPORT",
            "is_bot_user_member": True,
            "user": "U1",
            "message_ts": "1700000100.000200",
            "unfurl_id": "C0SUPPORT.1700000100.000200",
            "source": "conversations_history",
            "event_ts": "1700000100.000200",
            "links": [{"domain": "app.kickserv.com", "url": kickserv_url}],
        }
        await app.event(event)
        where = ("C0SUPPORT", "1700000100.000200")
        shown = texts(slack.unfurls[where][kickserv_url]["blocks"])
        assert f"*Jobs not done yet*\n{len(active)}" in shown
        assert f"*Next*\nJob {soonest.job_number} · " in shown


async def test_a_watch_for_unassigned_tickets_posts_only_those(console: Console):
    [added] = await console.send("/deskhand watch tickets tech:none")
    assert added["text"].startswith("Watching `#1`: tech:none.")
    await _poll(console)  # the baseline
    readydesk = console.desk.readydesk
    assigned = await readydesk.add_ticket(cid="demo", subject="Taken", priority="Low")
    _tickets(console).tickets[assigned].assigned_tech = "bob"
    free = await readydesk.add_ticket(cid="demo", subject="Nobody has it", priority="Low")
    _tickets(console).tickets[free].assigned_tech = ""
    assert await _poll(console) == ["#1: 1 new"]
    [post] = _posts(console)
    assert post.payload["blocks"][0]["text"]["text"] == f"#{free} Nobody has it"
