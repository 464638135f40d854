"""conversations.join and reactions.add/remove in the Slack fake (`slack`: the SlackSandbox, its
`private_channels`, `channels_without_bot`, `gone_messages` and `reactions`)."""

from typing import Any


def thread_answer(slack: Any, method: str, payload: dict[str, Any]) -> dict[str, Any]:
    """conversations.join and reactions.add/remove, as Slack answers them."""
    channel = str(payload.get("channel") or "")
    if method == "conversations.join":
        if channel in slack.private_channels:
            return {"ok": False, "error": "method_not_supported_for_channel_type"}
        joined = channel in slack.channels_without_bot
        slack.channels_without_bot.discard(channel)
        answer = {"ok": True, "channel": {"id": channel, "is_member": True}}
        return answer if joined else {**answer, "warning": "already_in_channel"}
    where = (channel, str(payload.get("timestamp") or ""))
    if where in slack.gone_messages:
        return {"ok": False, "error": "message_not_found"}
    names = slack.reactions.setdefault(where, [])
    name = str(payload.get("name") or "")
    if method == "reactions.add":
        if name in names:
            return {"ok": False, "error": "already_reacted"}
        names.append(name)
        return {"ok": True}
    if name not in names:
        return {"ok": False, "error": "no_reaction"}
    names.remove(name)
    return {"ok": True}
