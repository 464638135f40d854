"""What Slack puts in a payload when someone uses a Block Kit element, or submits a form."""

from typing import Any

from playground.slack_requests import input_state


def view_state(view: dict[str, Any], values: dict[str, Any] | None) -> dict[str, Any]:
    """A view's `state.values` as Slack builds it from what was typed and chosen (by block id)."""
    typed = values or {}
    return {
        block["block_id"]: {
            block["element"]["action_id"]: input_state(
                block["element"]["type"], typed.get(block["block_id"])
            )
        }
        for block in view.get("blocks", [])
        if block.get("type") == "input" and block.get("element")
    }


def element_at(blocks: list[dict[str, Any]], path: str) -> tuple[dict[str, Any] | None, str]:
    """The element at `path` ("3.accessory", "2.element", "4.1"), and its block's id."""
    head, _, tail = path.partition(".")
    if not head.isdigit() or int(head) >= len(blocks):
        return None, ""
    block = blocks[int(head)]
    block_id = block.get("block_id") or f"b{head}"  # Slack makes up an id for a block without
    if tail in ("accessory", "element"):
        return block.get(tail), block_id
    elements = block.get("elements") or []
    if tail.isdigit() and int(tail) < len(elements):
        return elements[int(tail)], block_id
    return None, block_id


def slack_action(element: dict[str, Any], block_id: str, action: dict[str, Any]) -> dict[str, Any]:
    """The `actions[0]` Slack sends for a use of `element`."""
    kind = element.get("type", "")
    out: dict[str, Any] = {"type": kind, "action_id": element.get("action_id")}
    out["block_id"] = block_id
    if kind == "button":
        out |= {"text": element.get("text"), "value": element.get("value", "")}
        if element.get("style"):
            out["style"] = element["style"]
    elif kind in ("static_select", "overflow"):
        value = str(action.get("value", ""))
        options = list(element.get("options") or [])
        for group in element.get("option_groups") or []:
            options += group.get("options") or []
        out["selected_option"] = next((o for o in options if o.get("value") == value), None)
    elif kind == "external_select":
        option = action.get("option") or {}
        text = {"type": "plain_text", "text": str(option.get("text", ""))}
        out["selected_option"] = {"text": text, "value": str(option.get("value", ""))}
    elif kind == "datepicker":
        out |= {"selected_date": action.get("value"), "initial_date": element.get("initial_date")}
    elif kind == "timepicker":
        out |= {"selected_time": action.get("value"), "initial_time": element.get("initial_time")}
    return out
