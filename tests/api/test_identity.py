"""Who a user is in each system, as the desk answers it: an admin's link, then the email."""

from datetime import UTC, datetime


async def test_the_email_finds_the_technician_and_an_admins_link_wins_over_it(console):
    desk = console.desk
    matched = await desk.identify("U1", "alice@helpdesk.example")
    assert (matched.technician, matched.technician_how.way) == ("alice", "email")
    assert matched.technician_how.email == "alice@helpdesk.example"

    await console.store.links.set("U1", set_by="U0ADMIN", technician="bob", employee_number=18)
    linked = await desk.identify("U1", "alice@helpdesk.example")
    assert (linked.technician, linked.technician_how.way) == ("bob", "linked")
    assert linked.technician_how.link.set_by == "U0ADMIN"
    assert linked.technician_how.link.set_at.date() == datetime.now(UTC).date()
    assert linked.employee is not None and linked.employee.employee_number == 18


async def test_kickserv_down_leaves_the_employee_unknown_and_the_technician_found(console):
    console.faults("kickserv").add("status", status=503)
    who = await console.desk.identify("U1", "alice@helpdesk.example")
    assert who.technician == "alice"
    assert who.employee is None
    assert who.employee_how.way == "unknown" and who.employee_how.error
    nobody = await console.desk.identify("U2", None)
    assert (nobody.technician, nobody.technician_how.way) == (None, "none")
