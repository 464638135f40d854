"""The web sandbox draws Block Kit as Slack does: each block and element kind, modals, messages
and mrkdwn (names for mentions, escaping), read back from the HTML as a person would read it."""

from playground.web.mrkdwn import Names, mrkdwn_html
from playground.web.render import (
    Surface,
    render_blocks,
    render_modal,
    render_thread,
    render_timeline,
)
from playground.web.threads import offered_reactions
from sandbox.slack import BOT_USER_ID, SlackSandbox
from sandbox.workspace import Message, Workspace
from tests.conftest import clean_settings
from tests.html_dom import parse

NAMES = Names(users={"U1": "Pat Lee"}, channels={"C0SUPPORT": "support"})


def plain(text: str) -> dict:
    return {"type": "plain_text", "text": text}


def md(text: str) -> dict:
    return {"type": "mrkdwn", "text": text}


def option(text: str, value: str) -> dict:
    return {"text": plain(text), "value": value}


def drawn(*blocks: dict, ctx: Surface | None = None):
    return parse(str(render_blocks(list(blocks), ctx or Surface(names=NAMES))))


def html_of(text: str) -> str:
    return str(mrkdwn_html(text, NAMES))


# -- blocks -----------------------------------------------------------------------------------


def test_a_header_is_a_heading_with_its_text_escaped():
    dom = drawn({"type": "header", "text": plain("#34 <b>Printer</b> & co")})
    assert dom.find("h3").text == "#34 <b>Printer</b> & co"
    assert not dom.find_all("b")


def test_a_section_shows_its_text_fields_and_accessory():
    dom = drawn(
        {
            "type": "section",
            "block_id": "s1",
            "text": md("*Ticket* summary"),
            "fields": [md("*Status*\nOpen"), md("*Priority*\nHigh")],
            "accessory": {
                "type": "button",
                "action_id": "tickets_open",
                "text": plain("Open"),
                "value": '{"ticket_id": 34}',
            },
        }
    )
    assert dom.find(class_="bk-text").find("b").text == "Ticket"
    assert [f.text for f in dom.find_all(class_="bk-field")] == ["Status\nOpen", "Priority\nHigh"]
    button = dom.find(class_="bk-accessory").find("button")
    assert button.text == "Open"
    assert button.attrs["data-action-id"] == "tickets_open"
    assert button.attrs["data-value"] == '{"ticket_id": 34}'
    assert button.attrs["data-path"] == "0.accessory"


def test_context_divider_and_images_need_nothing_from_the_internet():
    dom = drawn(
        {
            "type": "context",
            "elements": [
                md("Shared by <@U1>"),
                {"type": "image", "image_url": "https://x/a.png", "alt_text": "logo"},
            ],
        },
        {"type": "divider"},
        {"type": "image", "image_url": "https://x/b.png", "alt_text": "a chart"},
    )
    assert "Shared by @Pat Lee" in dom.find(class_="bk-context").text
    assert dom.find_all("hr")
    assert not dom.find_all("img")
    assert "[image: a chart]" in dom.text and "[logo]" in dom.text


def test_actions_draw_buttons_in_their_styles():
    dom = drawn(
        {
            "type": "actions",
            "block_id": "ticket_34",
            "elements": [
                {"type": "button", "action_id": "a", "text": plain("Refresh"), "value": "1"},
                {"type": "button", "action_id": "b", "text": plain("Save"), "style": "primary"},
                {"type": "button", "action_id": "c", "text": plain("Close"), "style": "danger"},
            ],
        }
    )
    buttons = dom.find_all("button")
    assert [b.text for b in buttons] == ["Refresh", "Save", "Close"]
    assert [b.attrs["class"] for b in buttons] == [
        "bk-button",
        "bk-button primary",
        "bk-button danger",
    ]
    assert [b.attrs["data-path"] for b in buttons] == ["0.0", "0.1", "0.2"]
    assert {b.attrs["data-block-id"] for b in buttons} == {"ticket_34"}


def test_a_static_select_shows_its_options_and_the_chosen_one():
    dom = drawn(
        {
            "type": "actions",
            "elements": [
                {
                    "type": "static_select",
                    "action_id": "ticket_set_status",
                    "placeholder": plain("Status"),
                    "options": [option("Open", "Open"), option("Closed", "Closed")],
                    "initial_option": option("Closed", "Closed"),
                },
                {
                    "type": "static_select",
                    "action_id": "grouped",
                    "placeholder": plain("Pick one"),
                    "option_groups": [{"label": plain("Kickserv"), "options": [option("A", "a")]}],
                },
            ],
        }
    )
    status, grouped = dom.find_all("select")
    assert status.attrs["aria-label"] == "Status"
    assert [(o.text, "selected" in o.attrs) for o in status.find_all("option")] == [
        ("Open", False),
        ("Closed", True),
    ]
    assert grouped.find("optgroup").attrs["label"] == "Kickserv"
    placeholder = grouped.find_all("option")[0]
    assert (placeholder.text, "disabled" in placeholder.attrs) == ("Pick one", True)


def test_an_external_select_is_a_combobox_with_a_listbox():
    dom = drawn(
        {
            "type": "section",
            "text": md("Customer"),
            "accessory": {
                "type": "external_select",
                "action_id": "customer_picker",
                "placeholder": plain("Type a name"),
                "min_query_length": 2,
            },
        }
    )
    box = dom.find(class_="bk-combobox")
    assert box.attrs["data-min-query"] == "2"
    field = box.find("input", role="combobox")
    assert field.attrs["aria-label"] == "Type a name"
    assert box.find("ul", role="listbox").attrs["id"] == field.attrs["aria-controls"]


def test_an_overflow_menu_is_a_button_and_a_menu_of_its_options():
    dom = drawn(
        {
            "type": "section",
            "text": md("Job 86001"),
            "accessory": {
                "type": "overflow",
                "action_id": "more",
                "options": [option("Notes", "notes"), option("Customer", "customer")],
            },
        }
    )
    button = dom.find("button", class_="bk-overflow-button")
    assert (button.attrs["aria-haspopup"], button.attrs["aria-label"]) == ("menu", "More options")
    menu = dom.find(role="menu")
    assert "hidden" in menu.attrs
    items = menu.find_all(role="menuitem")
    assert [(i.text, i.attrs["data-value"]) for i in items] == [
        ("Notes", "notes"),
        ("Customer", "customer"),
    ]


def test_date_and_time_pickers_are_native_inputs_with_their_values():
    dom = drawn(
        {
            "type": "actions",
            "elements": [
                {"type": "datepicker", "action_id": "d", "initial_date": "2026-12-01"},
                {"type": "timepicker", "action_id": "t", "placeholder": plain("When")},
            ],
        }
    )
    date, clock = dom.find_all("input")
    assert (date.attrs["type"], date.attrs["value"], date.attrs["aria-label"]) == (
        "date",
        "2026-12-01",
        "Select a date",
    )
    assert (clock.attrs["type"], clock.attrs["value"], clock.attrs["aria-label"]) == (
        "time",
        "",
        "When",
    )


def test_an_unknown_block_says_so_instead_of_vanishing():
    dom = drawn({"type": "video", "title": plain("x")})
    assert "This block (video) is not shown in the sandbox." in dom.text


# -- forms ------------------------------------------------------------------------------------


NOTE_FORM = {
    "id": "V00000001",
    "type": "modal",
    "callback_id": "note_modal",
    "title": plain("Add a note"),
    "submit": plain("Add note"),
    "blocks": [
        {
            "type": "input",
            "block_id": "note",
            "label": plain("Note"),
            "hint": plain("Shown on the ticket's history"),
            "element": {"type": "plain_text_input", "action_id": "note_input", "multiline": True},
        },
        {
            "type": "input",
            "block_id": "date",
            "optional": True,
            "label": plain("Date"),
            "element": {"type": "datepicker", "action_id": "date"},
        },
        {
            "type": "input",
            "block_id": "customer",
            "label": plain("Customer"),
            "element": {"type": "external_select", "action_id": "customer_picker"},
        },
    ],
}


def test_a_modal_is_a_dialog_named_by_its_title_with_labelled_fields():
    dom = parse(str(render_modal(NOTE_FORM, Surface(prefix="vV1"))))
    dialog = dom.find(role="dialog")
    title = dom.find(id=dialog.attrs["aria-labelledby"])
    assert title.text == "Add a note"
    note, date, customer = dom.find("textarea"), dom.find(type="date"), dom.find(role="combobox")
    assert [dom.label_for(f) for f in (note, date, customer)] == ["Note", "Date", "Customer"]
    assert "(optional)" in dom.find(class_="bk-input", data_block_id="date").text
    assert dom.find(id=note.attrs["aria-describedby"]).text == "Shown on the ticket's history"
    assert [b.text for b in dom.find("footer").find_all("button")] == ["Cancel", "Add note"]


def test_a_refused_form_shows_each_error_under_its_field_and_keeps_what_was_typed():
    ctx = Surface(
        prefix="vV1",
        values={"note": "Called <back>", "customer": {"value": "readydesk:demo", "text": "Demo"}},
        errors={"note": "Write something shorter."},
    )
    dom = parse(str(render_modal(NOTE_FORM, ctx)))
    note = dom.find("textarea")
    assert note.text == "Called <back>"
    assert note.attrs["aria-invalid"] == "true"
    described = note.attrs["aria-describedby"].split()
    assert [dom.find(id=i).text for i in described] == [
        "Shown on the ticket's history",
        "Write something shorter.",
    ]
    assert dom.find(role="alert").text == "Write something shorter."
    assert dom.find(role="combobox").attrs["value"] == "Demo"
    assert dom.find(class_="bk-combobox-value").attrs["value"] == "readydesk:demo"


def test_a_modal_without_submit_has_a_close_button_only():
    view = {
        "id": "V2",
        "title": plain("Note added"),
        "blocks": [{"type": "section", "text": md("Done")}],
    }
    dom = parse(str(render_modal(view, Surface())))
    assert [b.text for b in dom.find("footer").find_all("button")] == ["Close"]


# -- messages ---------------------------------------------------------------------------------


OFFERED = offered_reactions(clean_settings())  # as the sandbox offers them by default


def test_the_menu_offers_the_reactions_the_settings_name():
    workspace = _workspace()
    workspace.post_as("U1", "C0SUPPORT", "Printer on fire")
    settings = clean_settings(DESKHAND_REACTION_ASSIGN="raised_hand", DESKHAND_REACTION_CLOSE="")
    dom = parse(str(render_timeline(workspace, "C0SUPPORT", [], offered_reactions(settings))))
    items = [i.text for i in dom.find(role="menu").find_all(role="menuitem")]
    assert items[:2] == ["🎫", ":raised_hand:"]  # what the app acts on; ✅ is turned off
    assert "👀" not in items and "✅" not in items


def _workspace() -> Workspace:
    workspace = Workspace(SlackSandbox())
    workspace.messages.clear()
    return workspace


def test_messages_are_articles_with_a_more_actions_menu_of_the_shortcuts():
    workspace = _workspace()
    said = workspace.post_as("U1", "C0SUPPORT", "Printer on fire <now> & then")
    card = Message("1700000100.000100", "C0SUPPORT", BOT_USER_ID, blocks=[{"type": "divider"}])
    workspace.messages[("C0SUPPORT", card.ts)] = card
    shortcuts = [("add_as_note", "Add as note"), ("create_ticket_from_message", "Create ticket")]
    dom = parse(str(render_timeline(workspace, "C0SUPPORT", shortcuts, OFFERED)))
    first, second = dom.find_all(role="article")
    assert first.attrs["data-ts"] == said.ts
    assert first.find(class_="author").text == "Pat Lee"
    assert first.find(class_="message-body").text == "Printer on fire <now> & then"
    more = first.find("button", class_="more-actions")
    assert more.attrs["aria-label"] == "More actions"
    menu = first.find(role="menu")
    items = [i.text for i in menu.find_all(role="menuitem")]
    assert items[:3] == ["🎫", "👀", "✅"]  # reactions to add, then
    assert items[-3:] == ["Reply in thread", "Add as note", "Create ticket"]
    assert menu.find("a", role="menuitem").attrs["href"].endswith(f"t={said.ts}")
    assert second.find(class_="author").text == "Deskhand"
    assert "APP" in second.text


def test_an_ephemeral_message_is_only_visible_to_you_and_has_no_shortcuts():
    workspace = _workspace()
    note = Message("1700000100.000100", "C0SUPPORT", BOT_USER_ID, text="Done", ephemeral=True)
    workspace.messages[("C0SUPPORT", note.ts)] = note
    dom = parse(
        str(render_timeline(workspace, "C0SUPPORT", [("add_as_note", "Add as note")], OFFERED))
    )
    [article] = dom.find_all(role="article")
    assert "Only visible to you" in article.text
    assert not article.find_all(class_="more-actions")


def test_thread_replies_and_unfurls_sit_under_their_message():
    workspace = _workspace()
    said = workspace.post_as("U1", "C0SUPPORT", "see https://app.kickserv.com/x/jobs/1")
    said.unfurls["https://app.kickserv.com/x/jobs/1"] = {
        "blocks": [{"type": "section", "text": md("*Job 1*")}]
    }
    reply = Message("9999999999.000100", "C0SUPPORT", BOT_USER_ID, text="Status: Open → Closed")
    reply.thread_ts = said.ts
    workspace.messages[("C0SUPPORT", reply.ts)] = reply
    dom = parse(str(render_timeline(workspace, "C0SUPPORT", [], OFFERED)))
    parent = dom.find_all(role="article")[0]
    assert parent.find(class_="attachment").find("b").text == "Job 1"
    assert parent.find("a").attrs["href"] == "https://app.kickserv.com/x/jobs/1"
    assert parent.find("a", class_="thread-count").text == "1 reply"  # a link to the pane
    assert len(dom.find_all(role="article")) == 1  # the reply is not also in the channel
    pane = parse(str(render_thread(workspace, "C0SUPPORT", said.ts, [], OFFERED)))
    shown, answer = pane.find_all(role="article")
    assert shown.attrs["data-ts"] == said.ts
    assert "Status: Open → Closed" in answer.text


def test_reactions_show_as_emoji_with_counts_and_unknown_names_as_names():
    workspace = _workspace()
    said = workspace.post_as("U1", "C0SUPPORT", "Printer on fire")
    workspace.slack.reactions[("C0SUPPORT", said.ts)] = ["inbox_tray", "party_parrot"]
    workspace.react("U0CONSOLE", said, "inbox_tray")
    assert not workspace.react("U0CONSOLE", said, "inbox_tray")  # once per person
    dom = parse(str(render_timeline(workspace, "C0SUPPORT", [], OFFERED)))
    shown = [r.text for r in dom.find(class_="reactions").find_all("li")]
    assert shown == ["📥 2", ":party_parrot: 1"]


# -- mrkdwn -----------------------------------------------------------------------------------


def test_mrkdwn_emphasis_code_and_blocks():
    assert html_of("*bold* _italic_ ~gone~") == "<b>bold</b> <i>italic</i> <s>gone</s>"
    assert html_of("a snake_case_name and 2*3*4") == "a snake_case_name and 2*3*4"
    assert html_of("`*not bold* <@U1>`") == "<code>*not bold* &lt;@U1&gt;</code>"
    assert html_of("```line *1*\nline 2```") == '<pre class="mrkdwn-pre">line *1*\nline 2</pre>'
    assert html_of("said:\n&gt; quoted *text*\nback") == (
        "said:<blockquote>quoted <b>text</b></blockquote>back"
    )


def test_mentions_and_channels_show_as_names():
    assert html_of("<@U1> in <#C0SUPPORT>") == (
        '<span class="mention">@Pat Lee</span> in <span class="mention channel">#support</span>'
    )
    assert html_of("<@U9|sam> <#C9|general>") == (
        '<span class="mention">@sam</span> <span class="mention channel">#general</span>'
    )
    assert html_of("<!here> <!subteam^S1|@support>") == (
        '<span class="mention">@here</span> <span class="mention">@support</span>'
    )
    assert html_of("<!date^1700000000^{date}|Nov 14, 2023>") == "Nov 14, 2023"


def test_mrkdwn_links_and_escaping():
    assert html_of("<https://x.example/?a=1&amp;b=2|the *ticket*>") == (
        '<a href="https://x.example/?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">'
        "the *ticket*</a>"
    )
    assert html_of("<javascript:alert(1)|click>") == "&lt;javascript:alert(1)|click&gt;"
    assert html_of("&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp;") == (
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp;"
    )
    assert html_of('<b onclick="x">') == "&lt;b onclick=&#34;x&#34;&gt;"
