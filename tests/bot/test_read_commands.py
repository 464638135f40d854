"""/tickets, /customer, /job and Share in channel, through signed requests and the sandboxes."""

import asyncio
import re
import time

import pytest

from api.directory import CustomerDirectory
from bot.settings import Settings
from cards.refs import TicketQuery, ref_value
from playground.console import Console
from sandbox.slack import sandbox_user


def _texts(reply: dict) -> str:
    return repr(reply["blocks"]) + reply["text"]


def _row_numbers(reply: dict) -> list[int]:
    return [
        int(b["block_id"].removeprefix("row_"))
        for b in reply["blocks"]
        if b.get("block_id", "").startswith("row_")
    ]


async def _directory_ready(console: Console) -> None:
    await console.desk.directory.refresh()
    assert await console.desk.directory.is_ready()


# -- /tickets ---------------------------------------------------------------------------------


async def test_tickets_alone_shows_the_newest_with_the_grammar_and_pages_to_the_end(console):
    data = console.fake("readydesk").state.data
    [first] = await console.send("/tickets")
    newest = sorted(data.tickets, reverse=True)
    assert _row_numbers(first) == newest[:10]
    assert f"{len(data.tickets):,} tickets" in first["blocks"][0]["text"]["text"]
    assert "status:open" in first["blocks"][1]["elements"][0]["text"]  # the grammar line
    [second] = await console.send("click Next")
    assert second["replace_original"] is True
    assert _row_numbers(second) == newest[10:20]
    [back] = await console.send("click Previous")
    assert _row_numbers(back) == newest[:10]


async def test_filters_match_the_help_desks_values_whatever_the_case(console):
    data = console.fake("readydesk").state.data
    expected = sorted(
        (t.tid for t in data.tickets.values() if t.status == "Open" and t.priority == "High"),
        reverse=True,
    )
    [reply] = await console.send("/tickets STATUS:open priority:HIGH")
    assert f"*{len(expected)} tickets*" in reply["blocks"][0]["text"]["text"]
    assert _row_numbers(reply) == expected[:10]
    pages = -(-len(expected) // 10)
    for _ in range(pages - 1):
        [reply] = await console.send("click Next")
    assert _row_numbers(reply) == expected[(pages - 1) * 10 :]
    assert f"Page {pages} of {pages}" in _texts(reply)
    assert "Next" not in [b["text"]["text"] for b in reply["blocks"][-1]["elements"]]


async def test_quoted_group_and_words_reach_readydesk(console):
    data = console.fake("readydesk").state.data
    group = next(g.name for g in data.groups.values() if " " in g.name)
    [reply] = await console.send(f'/tickets group:"{group.lower()}" printer')
    expected = [
        t
        for t in data.tickets.values()
        if t.assigned_group_name == group and "printer" in f"{t.subject} {t.summary}".lower()
    ]
    assert f"*{len(expected)} ticket" in reply["blocks"][0]["text"]["text"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/tickets stauts:open", "There is no `stauts:` filter. Did you mean `status:`?"),
        ("/tickets status:opne", "There is no status `opne`. Did you mean `Open`? Statuses:"),
        ("/tickets tech:alcie", "Did you mean `alice`?"),
        ("/tickets due:someday", "is not a date I understand"),
        ("/tickets opened:2026-11-20..2026-11-01", "ends before it starts"),
        ('/tickets group:"Field', "A quote is not closed"),
        ("/tickets printer @pat", "`@pat` is a mention, not a search word. For someone's"),
        ("/tickets tech:@pat", "`tech:@pat` is a mention. For someone's tickets use their"),
    ],
)
async def test_unknown_keys_and_values_say_did_you_mean(console, line, expected):
    [reply] = await console.send(line)
    assert expected in reply["text"]
    typed = line  # given back whole, the command too, below the message
    assert [b["text"]["text"] for b in reply["blocks"][2:]] == [typed]


async def test_tech_me_uses_the_slack_email_and_explains_when_it_cannot(console):
    data = console.fake("readydesk").state.data
    mine = [t.tid for t in data.tickets.values() if t.assigned_tech == "alice"]
    [reply] = await console.send("/tickets tech:me")  # the console user is alice@helpdesk.example
    assert f"*{len(mine)} tickets* · tech:alice" in reply["blocks"][0]["text"]["text"]
    async with Console(Settings(_env_file=None)) as fresh:
        fresh.slack.users["U0CONSOLE"] = sandbox_user("U0CONSOLE", "New Hire", "new@else.example")
        [reply] = await fresh.send("/tickets tech:me")
    assert "no ReadyDesk technician has your Slack email (new@else.example)" in reply["text"]


async def test_overdue_finds_past_due_open_tickets(console):
    data = console.fake("readydesk").state.data
    [reply] = await console.send("/tickets due:overdue")
    shown = _row_numbers(reply)
    assert shown, "the seeded help desk has overdue tickets"
    for tid in shown:
        ticket = data.tickets[tid]
        assert ticket.due_date is not None and ticket.status != "Closed"


async def test_deskhand_runs_every_command_by_its_long_name(console):
    [short] = await console.send("/tickets status:open")
    [long] = await console.send("/deskhand tickets status:open")
    assert long["blocks"] == short["blocks"]
    [usage] = await console.send("/tickets help")
    assert "Usage: `/tickets [filters] [words]`" in usage["text"]


# -- /customer --------------------------------------------------------------------------------


async def test_customer_card_links_both_systems_by_email(console):
    await _directory_ready(console)
    [card] = await console.send("/customer john.smith@democompany.com")
    text = _texts(card)
    assert card["blocks"][0]["text"]["text"] == "Demo Company"
    assert "*Customer ID*\\ndemo" in text and "Kickserv customer" in text
    assert "ReadyDesk tickets:" in text and "Kickserv jobs not done yet" in text
    assert "are linked: same email." in text
    assert "*Owed*" in text


async def test_customer_card_names_the_contact_the_kickserv_name_and_each_jobs_description(
    console,
):
    await _directory_ready(console)
    [business] = await console.desk.directory.search("john.smith@democompany.com")
    number = int(business.kickserv.record_key)
    kickserv = console.desk.kickserv
    data = console.fake("kickserv").state.data
    for job in [j for j in data.jobs.values() if j.customer_id == data.customers[number].id]:
        job.status = "completed"  # only the job made below is in progress or upcoming
    printer = next(k for k, name in data.job_types.items() if name == "Printer Repair")
    job = await kickserv.create_job(
        number,
        printer,
        "Fix the <leaking>\n  tray & *reset* the counter " + "x" * 200,
        scheduled_on="2031-05-02T09:00:00-05:00",
    )
    await kickserv.update_job(job.job_number, name="Old title")  # the service is named, not it
    [card] = await console.send("/customer john.smith@democompany.com")
    fields = [f["text"] for f in card["blocks"][1]["fields"]]
    assert "*Contact*\nJohn Smith" in fields
    assert f"*Kickserv customer*\nDemo Company (#{number})" in fields
    [jobs] = [b for b in card["blocks"] if "Kickserv jobs" in b.get("text", {}).get("text", "")]
    line = jobs["text"]["text"].splitlines()[1]
    assert line.startswith(
        f"• Job {job.job_number} Printer Repair — Fix the &lt;leaking&gt; tray &amp; *reset* the"
    )
    assert (
        "xxx…" in line
        and "\n" not in line
        and line.endswith("· Scheduled · May 2, 2031 2:00 PM UTC")
    )


async def test_customer_card_lists_jobs_kickserv_gave_no_date_last(console):
    await _directory_ready(console)
    kickserv = console.desk.kickserv
    data = console.fake("kickserv").state.data
    for job in [j for j in data.jobs.values() if j.customer_id == data.customers[1].id]:
        job.status = "completed"
    printer = next(k for k, name in data.job_types.items() if name == "Printer Repair")
    undated = await kickserv.create_job(1, printer, "No date at all")
    dated = await kickserv.create_job(1, printer, "Waiting for parts")
    scheduled = await kickserv.create_job(
        1, printer, "Booked", scheduled_on="2031-05-02T09:00:00-05:00"
    )
    for job in (undated, dated):
        data.jobs[job.job_number].status = "on_hold"  # in progress, but on no day
    data.jobs[undated.job_number].created_at = None  # Kickserv sent none
    [card] = await console.send("/customer john.smith@democompany.com")
    [jobs] = [b for b in card["blocks"] if "Kickserv jobs" in b.get("text", {}).get("text", "")]
    numbers = re.findall(r"• Job (\d+) ", jobs["text"]["text"])
    assert numbers == [str(j.job_number) for j in (scheduled, dated, undated)]


async def test_records_without_a_shared_email_link_by_phone(console):
    kickserv = console.desk.kickserv
    rd = await console.desk.readydesk.get_customer("demo")
    created = await kickserv.create_customer(name="Phone Twin", phone_number=f"+1 {rd.phone}")
    await _directory_ready(console)
    [business] = await console.desk.directory.search("Phone Twin")
    assert business.kickserv.record_key == str(created.customer_number)
    assert business.readydesk.record_key == "demo" and business.linked_by == "phone"


async def test_several_matches_give_a_picker_and_none_says_so_per_system(console):
    await _directory_ready(console)
    [picker] = await console.send("/customer example.com")
    assert re.search(r"\*\d+ customers match\*", picker["blocks"][0]["text"]["text"])
    [card] = await console.send("click Open")
    assert card["replace_original"] is True and card["blocks"][0]["type"] == "header"
    [none] = await console.send("/customer zzzz-no-such-business")
    assert (
        none["text"] == "No customer matches `zzzz-no-such-business` in ReadyDesk or in Kickserv."
    )


async def test_while_the_directory_loads_exact_ids_still_answer(console, monkeypatch):
    async def loading() -> bool:
        return False

    monkeypatch.setattr(console.desk.directory, "is_ready", loading)
    [card] = await console.send("/customer demo")
    assert card["blocks"][0]["text"]["text"] == "Demo Company"
    assert "directory is still loading" in _texts(card)


async def test_one_backend_failing_leaves_the_other_part_with_one_line(console):
    await _directory_ready(console)
    console.faults("kickserv").add("status", status=503)
    [card] = await console.send("/customer john.smith@democompany.com")
    text = _texts(card)
    assert "ReadyDesk tickets:" in text
    assert "Kickserv could not be read" in text
    console.faults("readydesk").add("status", status=503)
    [failed] = await console.send("/customer john.smith@democompany.com")
    assert failed["blocks"] == [] and "having trouble" in failed["text"]


# -- /job, Share in channel, slow backends ---------------------------------------------------


async def test_job_card_shows_service_schedule_and_customer(console):
    await _directory_ready(console)
    data = console.fake("kickserv").state.data
    job = next(j for j in data.jobs.values() if j.status == "scheduled")
    [task] = [t for t in data.tasks.values() if t.job_id == job.id]
    crew = [data.employees[e].name for e in task.employee_ids]
    [card] = await console.send(f"/job {job.job_number}")
    text = _texts(card)
    assert f"*Assigned to*\\n{', '.join(crew)}" in text
    assert card["blocks"][0]["text"]["text"].startswith(f"Job {job.job_number} · ")
    assert "*Service*" in text and "*When*" in text and "UTC" in text
    assert "Customer" in [b["text"]["text"] for b in card["blocks"][-1]["elements"]]
    [customer] = await console.send("click Customer")
    assert "Kickserv customer" in _texts(customer)
    [missing] = await console.send("/job 99999999")
    assert "Kickserv has no job 99999999" in missing["text"]


async def test_share_posts_the_card_publicly_and_removes_the_ephemeral_copy(console):
    await console.send("/ticket 34")
    mark = len(console.slack.calls)
    await console.send("click Share in channel")
    calls = console.slack.calls_since(mark)
    [post] = [c for c in calls if c.name == "chat.postMessage"]
    assert post.payload["channel"] == "C0CONSOLE"
    assert post.payload["blocks"][0]["text"]["text"].startswith("#34 ")
    assert "Shared by <@U0CONSOLE>" in repr(post.payload["blocks"])
    assert "Share in channel" not in repr(post.payload["blocks"])
    assert any(c.kind == "response_url" and c.payload.get("delete_original") for c in calls)


async def test_a_slow_backend_shows_looking_up_then_one_answer_in_time():
    settings = Settings(_env_file=None, DESKHAND_READ_DEADLINE=0.6, DESKHAND_LOOKING_UP_AFTER=0.1)
    async with Console(settings) as console:
        console.faults("readydesk").add("latency", seconds=2.0, path="")
        started = asyncio.get_running_loop().time()
        waiting, answer = await console.send("/ticket 34")
        took = asyncio.get_running_loop().time() - started
    assert waiting["text"] == "Looking up ticket 34 …"
    assert answer["replace_original"] is True
    assert answer["text"] == "ReadyDesk did not answer in time."
    assert took < 1.5  # one deadline for all tries, not three slow tries


@pytest.mark.parametrize("fmt", ["xml", "json", "delimited"])
async def test_a_missing_ticket_is_missing_in_every_format(fmt):
    settings = Settings(_env_file=None, READYDESK_FORMAT_PARAM="format", READYDESK_FORMAT_VALUE=fmt)
    async with Console(settings) as console:
        [reply] = await console.send("/ticket 999999")
    assert reply["text"] == "Ticket 999999 does not exist in ReadyDesk."


async def test_the_longest_search_allowed_still_pages(console):
    words = " ".join(["printer"] * 62)  # 495 characters: just under the limit
    [reply] = await console.send(f"/tickets customer:{'c' * 100} {words}")
    assert "0 tickets" in reply["text"]
    [refused] = await console.send(f"/tickets {words} more words")
    assert "That search is too long" in refused["text"]
    [escaped] = await console.send("/tickets " + "\x01" * 400)  # JSON writes each as \u0001
    assert "That search is too long" in escaped["text"]
    query = TicketQuery(
        **{
            k: "x" * 100
            for k in ("status", "priority", "category", "source", "group", "tech", "customer")
        },
        words="w" * 500,
        page=999,
    )
    assert len(ref_value(query)) < 2000  # every filter at its longest fits a button


async def test_list_rows_open_their_ticket_and_job_buttons_work(console):
    [listing] = await console.send("/tickets")
    first = _row_numbers(listing)[0]
    [card] = await console.send("click Open")
    assert card["blocks"][0]["text"]["text"].startswith(f"#{first} ")
    assert not card.get("replace_original")  # the list stays; the card comes below it
    job = next(iter(console.fake("kickserv").state.data.jobs.values()))
    await console.desk.kickserv.add_note("jobs", job.job_number, "Bring the long ladder")
    [card] = await console.send(f"/job {job.job_number}")
    assert "Latest note, by " in _texts(card) and "Bring the long ladder" in _texts(card)
    [notes] = await console.send("click Notes")
    assert notes["blocks"][0]["text"]["text"] == f"Notes on job {job.job_number}"
    assert notes["blocks"][1]["text"]["text"] == "Bring the long ladder"
    await console.send(f"/job {job.job_number}")
    [again] = await console.send("click Refresh")
    assert again["replace_original"] is True


async def test_new_readydesk_customers_reach_the_directory_on_the_next_refresh(console):
    await _directory_ready(console)
    new_id = await console.desk.readydesk.add_customer(
        cid="zephyr9", contact="Zephyr Quill", email="zq@zephyr.example", password="pw1"
    )
    assert await console.desk.directory.search("zephyr") == []
    await console.desk.directory.refresh()  # incremental: customers added since the last fill
    [business] = await console.desk.directory.search("zephyr")
    assert business.readydesk.record_key == new_id


async def test_the_background_refresh_waits_until_a_refresh_is_due(console, monkeypatch):
    await _directory_ready(console)  # just filled (by "another process", in the same database)
    desk = console.desk
    directory = CustomerDirectory(
        console.store.directory, desk.readydesk, desk.kickserv, refresh_every=1.0
    )
    walks: list[float] = []

    async def counted() -> None:
        walks.append(time.monotonic())

    monkeypatch.setattr(directory, "refresh", counted)
    started = time.monotonic()
    directory.start()
    try:
        await asyncio.sleep(0.3)
        assert walks == []  # filled moments ago: nothing to do until the interval has passed
        async with asyncio.timeout(5):
            while not walks:
                await asyncio.sleep(0.05)
    finally:
        await directory.aclose()
    assert walks[0] - started >= 0.5  # the interval, counted from the fill, not from the start


async def test_a_mention_in_a_watch_is_refused_and_an_email_is_a_word(console):
    console.slack.users["U0PAT"] = {"id": "U0PAT", "name": "pat"}
    [person] = await console.send("/deskhand watch tickets @pat")  # Slack sends <@U0PAT|pat>
    assert person["text"].startswith("`@pat` is a mention, not a search word.")
    [everyone] = await console.send("/deskhand watch tickets urgent @channel")
    assert everyone["text"].startswith("`@channel` is a mention, not a search word.")
    assert await console.store.alerts.in_channel("C0CONSOLE") == []
    [email] = await console.send("/tickets pat@example.com")
    assert "mention" not in email["text"]


async def test_paging_a_list_shared_in_a_channel_shows_the_page_to_me_alone(console):
    await console.send("/tickets status:unresolved")
    await console.send("click Share in channel")
    [(ts, shared)] = [(ts, m) for (c, ts), m in console.slack.messages.items() if c == "C0CONSOLE"]
    [next_page] = [
        e
        for b in shared["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e.get("text", {}).get("text") == "Next"
    ]
    body = console.requests.block_actions(
        {"type": "button", "action_id": next_page["action_id"], "value": next_page["value"]},
        user={"id": "U0CONSOLE"},
        container={
            "type": "message",
            "is_ephemeral": False,
            "message_ts": ts,
            "channel_id": "C0CONSOLE",
        },
        channel={"id": "C0CONSOLE"},
        message={**shared, "ts": ts},
        response_url=console.slack.response_url("page"),
    )
    [page] = await console.deliver(body, len(console.slack.calls))
    assert not page.get("replace_original") and page["response_type"] == "ephemeral"
    assert page["blocks"] != shared["blocks"]  # the next ten
    assert console.slack.messages[("C0CONSOLE", ts)]["blocks"] == shared["blocks"]  # for all
