"""The Create ticket form: customer (typeahead), subject, description, category, priority."""

from pydantic import BaseModel, ConfigDict
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from cards import ids
from cards.common import button_raw, context, fit_metadata, mrkdwn_section, typed_back
from cards.form_inputs import customer_picker, description_input
from cards.mrkdwn import truncate

CUSTOMER, SUBJECT, DESCRIPTION, CATEGORY, PRIORITY = (
    "customer",
    "subject",
    "description",
    "category",
    "priority",
)
SUBJECT_MAX = 255
DESCRIPTION_MAX = 1500  # ReadyDesk takes it in the URL, which its server caps near 2000


class TicketForm(BaseModel):
    """What the form remembers: where it was opened and the text it was prefilled with."""

    model_config = ConfigDict(frozen=True)

    channel_id: str = ""
    subject: str = ""
    description: str = ""
    customer_value: str = ""  # what was chosen, so Try again brings it back
    category: str = ""
    priority: str = ""


def _select(block_id: str, label: str, values: list[str], chosen: str) -> InputBlock:
    options = [Option(text=truncate(v, 75), value=v[:150]) for v in values[:100]]
    initial = next((o for o in options if o.value == chosen), None)
    element = StaticSelectElement(
        action_id=block_id, placeholder="Choose", options=options, initial_option=initial
    )
    return InputBlock(block_id=block_id, label=label, optional=True, element=element)


def ticket_modal(form: TicketForm, categories: list[str] | None, priorities: list[str]) -> View:
    """The form; until the categories arrive (`None`), a line says they are loading."""
    chosen = form.customer_value
    customer = customer_picker(chosen, chosen.partition(":")[2])
    blocks: list[Block] = [
        InputBlock(block_id=CUSTOMER, label="Customer", element=customer),
        InputBlock(
            block_id=SUBJECT,
            label="Subject",
            element=PlainTextInputElement(
                action_id=SUBJECT,
                max_length=SUBJECT_MAX,
                initial_value=truncate(form.subject, SUBJECT_MAX) or None,
            ),
        ),
        description_input(DESCRIPTION, form.description, DESCRIPTION_MAX),
    ]
    if categories is None:
        blocks.append(mrkdwn_section("_Loading the categories from ReadyDesk…_"))
    elif categories:
        blocks.append(_select(CATEGORY, "Category", categories, form.category))
    if priorities:
        blocks.append(_select(PRIORITY, "Priority", priorities, form.priority))
    blocks.append(context("Signed “— your name via Slack”."))
    return View(
        type="modal",
        callback_id=ids.TICKET_MODAL,
        title="Create ticket",
        submit="Create ticket" if categories is not None else None,
        close="Cancel",
        private_metadata=fit_metadata(form, "description"),
        blocks=blocks,
    )


def ticket_result_view(
    title: str, message: str, retry: TicketForm | None = None, *, try_again: bool = True
) -> View:
    """How creating the ticket ended (message is mrkdwn, escaped); with `retry`, every
    character typed is kept, and Try again brings the form back with it."""
    blocks: list[Block] = [mrkdwn_section(message)]
    if retry is None:
        return View(type="modal", title=title, close="Done", blocks=blocks)
    typed = "\n".join(p for p in (retry.subject, retry.description) if p)
    if try_again:  # before the text, however long: visible without scrolling
        blocks.append(
            ActionsBlock(elements=[button_raw("Try again", ids.TICKET_TRY_AGAIN, "again")])
        )
    blocks += typed_back(typed)
    return View(
        type="modal",
        title=title,
        close="Close",
        blocks=blocks,
        private_metadata=fit_metadata(retry, "description"),
    )
