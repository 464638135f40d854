"""What a request is, as /metrics labels it: its kind and its listener's id, from the ids the
app registers (cards/ids.py), so a label never carries what someone typed."""

from typing import Any

from cards import ids

OTHER = "other"
# Payload type -> (kind, where the listener's id is, the ids the app registers for it).
_INTERACTIVE: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "block_actions": ("action", "action", ids.BLOCK_ACTIONS),
    "block_suggestion": ("options", "action_id", ids.OPTIONS),
    "view_submission": ("view", "view", ids.VIEWS),
    "view_closed": ("view", "view", ids.VIEWS + ids.CLOSED_VIEWS),
    "message_action": ("shortcut", "callback_id", ids.SHORTCUTS),
    "shortcut": ("shortcut", "callback_id", ids.SHORTCUTS),
}


def request_labels(body: dict[str, Any]) -> tuple[str, str]:
    """(kind, listener) of a Slack request: ("command", "/ticket"), ("action", "ticket_close"),
    ("view", "note_modal"), ("options", …), ("shortcut", …), ("event", "link_shared").

    Anything the app does not register is "other".
    """
    if "command" in body:
        return "command", _known(body.get("command"), ids.SLASH_COMMANDS)
    kind = body.get("type")
    if kind == "event_callback":
        event = body.get("event")
        kind = event.get("type") if isinstance(event, dict) else None
        return "event", _known(kind, ids.LISTENED_EVENTS)
    if kind not in _INTERACTIVE:
        return OTHER, OTHER
    label, where, known = _INTERACTIVE[kind]
    if where == "action":
        actions = body.get("actions")
        first = actions[0] if isinstance(actions, list) and actions else None
        value = first.get("action_id") if isinstance(first, dict) else None
    elif where == "view":
        view = body.get("view")
        value = view.get("callback_id") if isinstance(view, dict) else None
    else:
        value = body.get(where)
    return label, _known(value, known)


def _known(value: Any, known: tuple[str, ...]) -> str:
    return value if isinstance(value, str) and value in known else OTHER
