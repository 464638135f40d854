"""Who is who: matching by email, admins' links, whoami, and tech:me using them."""

from datetime import UTC

from bot.settings import Settings
from handlers.args import unescape
from playground.console import ESCAPED_COMMANDS, Console
from sandbox.slack import sandbox_user
from tests.test_manifest import MANIFEST


async def test_whoami_says_what_matched_and_how(console):
    [reply] = await console.send("/deskhand whoami")
    assert (
        "You are ReadyDesk technician `alice` — matched by email (alice@helpdesk.example)."
        in (reply["text"])
    )
    assert "You are Kickserv employee Alice Moreno (#19) — matched by email" in reply["text"]


async def test_an_admin_links_someone_and_tech_me_follows_the_link(console):
    [saved] = await console.send("/deskhand link @pat tech:BOB employee:18")
    assert "<@U1> is ReadyDesk technician `bob` — linked by <@U0CONSOLE>" in saved["text"]
    assert "<@U1> is Kickserv employee Sam Ortiz (#18)" in saved["text"]
    # The link is in the database: a second process (same store) sees it.
    link = await console.store.links.get("U1")
    assert (link.technician, link.employee_number, link.set_by) == ("bob", 18, "U0CONSOLE")
    day = link.set_at.astimezone(UTC)  # the console's business time zone
    assert f"linked by <@U0CONSOLE> on {day:%b} {day.day}, {day.year}." in saved["text"]
    [cleared] = await console.send("/deskhand link @pat tech:none")
    assert "<@U1> is no ReadyDesk technician" in cleared["text"]
    assert "Sam Ortiz (#18)" in cleared["text"]  # the other part stays


async def test_link_explains_mistakes(console):
    [typo] = await console.send("/deskhand link @pat tech:bobb")
    assert "ReadyDesk has no technician `bobb`. Did you mean `bob`?" in typo["text"]
    [nobody] = await console.send("/deskhand link tech:bob")
    assert "Whom should I link?" in nobody["text"]
    [employee] = await console.send("/deskhand link @pat employee:99")
    assert "Kickserv has no employee number `99`" in employee["text"]


async def test_only_admins_may_link():
    settings = Settings(_env_file=None, DESKHAND_ADMINS="U0BOSS")
    async with Console(settings) as console:
        [refused] = await console.send("/deskhand link @pat tech:bob")
        assert refused["via"] == "ack"
        assert refused["text"] == "Only Deskhand admins can do that. Ask <@U0BOSS>."
        assert await console.store.links.get("U1") is None
        [allowed] = await console.send("/deskhand whoami")  # everyone may ask who they are
        assert "You are ReadyDesk technician" in allowed["text"]


async def test_tech_me_uses_an_admins_link_over_the_email():
    async with Console(Settings(_env_file=None)) as console:
        console.slack.users["U0CONSOLE"] = sandbox_user("U0CONSOLE", "Alice Moreno", "a@x.example")
        [unlinked] = await console.send("/tickets tech:me")
        assert "no ReadyDesk technician has your Slack email (a@x.example)" in unlinked["text"]
        assert "/deskhand link @you tech:" in unlinked["text"]
        await console.send("/deskhand link @alice tech:carol")
        [mine] = await console.send("/tickets tech:me")
    assert "tech:carol" in mine["blocks"][0]["text"]["text"]


def test_the_console_escapes_exactly_the_commands_the_manifest_escapes():
    escaped = {
        c["command"] for c in MANIFEST["features"]["slash_commands"] if c.get("should_escape")
    }
    assert escaped == ESCAPED_COMMANDS


def test_escaped_text_reads_as_typed():
    assert unescape("tickets <@U1|pat> &lt;!channel&gt; a&amp;b <#C1|general>") == (
        "tickets @pat <!channel> a&b #general"
    )


async def test_a_link_is_in_the_audit_log_and_links_one_person_at_a_time(console):
    [saved] = await console.send("/deskhand link @pat tech:bob")
    assert saved["text"].startswith("Saved. ")
    [row] = await console.store.audit.recent(limit=1)
    assert (row.action, row.target, row.summary, row.user_id) == (
        "link",
        "user U1",
        "tech:bob",
        "U0CONSOLE",
    )
    [refused] = await console.send("/deskhand link @pat @alice tech:alice")
    assert refused["text"].startswith("Link one person at a time: ")
    assert (await console.store.links.get("U1")).technician == "bob"  # unchanged


async def test_a_refused_line_comes_back_as_typed_not_as_slack_escaped_it(console):
    [refused] = await console.send("/deskhand link @pat R&D")
    shown = [b["text"]["text"] for b in refused["blocks"] if b["type"] == "section"]
    assert "/deskhand link @pat R&D" in shown  # not "<@U1|pat> R&amp;D"
    assert refused["text"].startswith("`R&amp;D` is not understood.")  # R&D, in mrkdwn


async def test_changes_to_watches_digests_run_sheets_and_threads_are_in_the_audit(console):
    await console.send("/deskhand watch tickets priority:urgent customer:R&D")
    await console.send("/deskhand pause-watch 1")
    await console.send("/digest add overdue at 08:00 weekdays tz Europe/Berlin")
    await console.send("/digest remove 1")
    await console.send("/deskhand runsheet at 07:00 weekdays")
    await console.send("/deskhand runsheet off")
    await console.send("/deskhand threads on")
    rows = [(r.action, r.target, r.summary) for r in reversed(await console.store.audit.recent())]
    assert rows == [
        ("watch", "watch #1", "tickets: priority:Urgent customer:R&D"),  # as typed, not escaped
        ("pause-watch", "watch #1", "tickets: priority:Urgent customer:R&D"),
        ("digest add", "digest #1", "overdue at 08:00 weekdays Europe/Berlin"),
        ("digest remove", "digest #1", "overdue at 08:00 weekdays Europe/Berlin"),
        ("runsheet", "run-sheet", f"at 07:00 weekdays ({console.app_settings.timezone})"),
        ("runsheet off", "run-sheet", ""),
        ("threads on", "channel C0CONSOLE", ""),
    ]
    [shown] = await console.send("/deskhand audit")
    assert shown["text"] == "The last 7 writes from Slack"
    listed = str(shown["blocks"])
    assert "pause-watch watch #1 (tickets: priority:Urgent customer:R&amp;D): *written*" in listed
