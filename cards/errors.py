"""The view a form turns into when its submission fails: the error, and everything typed."""

from slack_sdk.models.blocks import Block, SectionBlock
from slack_sdk.models.views import View

from cards.common import SECTION_TEXT_MAX, context, mrkdwn_section, plain
from cards.mrkdwn import escape_mrkdwn, truncate

VIEW_BLOCKS_MAX = 100  # Slack's limit for a modal
LABEL_MAX = 200


def failed_form_view(message: str, typed: list[tuple[str, str]]) -> View:
    """`message` (mrkdwn) above each field's label and what was typed in it, whole.

    Long values are split over several sections so every character comes back; Slack's own
    input limits keep the whole under a modal's 100 blocks.
    """
    blocks: list[Block] = [mrkdwn_section(message)]
    if any(value for _, value in typed):
        blocks.append(context("What you typed, to copy into the form when you open it again:"))
    for label, value in typed:
        if not value:
            continue
        blocks.append(mrkdwn_section(f"*{escape_mrkdwn(truncate(label, LABEL_MAX))}*"))
        for start in range(0, len(value), SECTION_TEXT_MAX):
            piece = value[start : start + SECTION_TEXT_MAX]
            blocks.append(SectionBlock(text=plain(piece, SECTION_TEXT_MAX)))
    return View(type="modal", title="Not done", close="Close", blocks=blocks[:VIEW_BLOCKS_MAX])
