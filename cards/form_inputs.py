"""Inputs the new-job and new-ticket forms share: the customer picker and the description."""

from slack_sdk.models.blocks import (
    ExternalDataSelectElement,
    InputBlock,
    Option,
    PlainTextInputElement,
)

from cards import ids
from cards.mrkdwn import truncate


def customer_picker(value: str, label: str, hint: str = "") -> ExternalDataSelectElement:
    """The type-ahead customer menu, showing `label` for the chosen `value` when there is one;
    `hint` names whom to type when none is chosen."""
    return ExternalDataSelectElement(
        action_id=ids.CUSTOMER_PICKER,
        placeholder=truncate(f"Type {hint}", 150) if hint else "Type a name, email or phone",
        min_query_length=2,
        initial_option=Option(text=truncate(label, 75), value=value) if value else None,
    )


def description_input(block_id: str, text: str, max_length: int) -> InputBlock:
    """The optional multi-line description, holding what was typed (cut to `max_length`)."""
    return InputBlock(
        block_id=block_id,
        label="Description",
        optional=True,
        element=PlainTextInputElement(
            action_id=block_id,
            multiline=True,
            max_length=max_length,
            initial_value=text[:max_length] or None,
        ),
    )
