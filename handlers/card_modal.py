"""Cards shown in a modal: what a Home button answers (a Home tab has no response_url and no
channel). A button on such a card answers in the modal, as it would in place on a message: the
card it redraws replaces the modal's, and a new message (another card, a notice) opens on top.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from cards import ids
from cards.views import card_modal


class CardModalRespond:
    """`respond()` for a button on a card in a modal: `views.update` in place of
    `replace_original`, `views.push` (once per click, then updating what it pushed) for a new
    message, nothing for `delete_original`."""

    def __init__(self, client: AsyncWebClient, view: dict[str, Any], trigger_id: str) -> None:
        self._client, self._trigger_id = client, trigger_id
        self._view_id = str(view.get("id") or "")
        self._title = str((view.get("title") or {}).get("text") or "Deskhand")
        self._pushed: str | None = None

    async def __call__(
        self,
        text: str = "",
        blocks: list[Any] | None = None,
        *,
        replace_original: bool | None = None,
        delete_original: bool | None = None,
        **_: Any,
    ) -> None:
        """Show the message in the modal (see the class)."""
        if delete_original:
            return
        view = card_modal(text, blocks or [], self._title)
        if replace_original:
            await self._client.views_update(view_id=self._view_id, view=view)
        elif self._pushed is None:
            pushed = await self._client.views_push(trigger_id=self._trigger_id, view=view)
            self._pushed = str((pushed.get("view") or {}).get("id") or "")
        else:
            await self._client.views_update(view_id=self._pushed, view=view)


class AnswerInCardModal(AsyncMiddleware):
    """Global middleware: a button on a card modal gets the modal's `respond`. A class: Bolt
    calls it as it is, where a function middleware has its arguments worked out per request."""

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[Any]]
    ) -> BoltResponse | None:
        """Swap in the modal's respond for a card modal's button; go on."""
        body, context = req.body, req.context
        view = body.get("view") if isinstance(body.get("view"), dict) else {}
        if body.get("type") == "block_actions" and view.get("callback_id") == ids.CARD_MODAL:
            context["respond"] = CardModalRespond(
                context.client, view, str(body.get("trigger_id") or "")
            )
        return await next()
