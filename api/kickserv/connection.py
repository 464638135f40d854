"""Kickserv's connection: one pooled client per account, the one choke point every request goes
through (failures mapped to api.errors), and paging. The endpoints are in client.py (reads) and
writes.py (writes)."""

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any, Literal, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel

from api.cache import AsyncTTLCache
from api.errors import InvalidRequest, MalformedResponse, NotFound
from api.http import (
    DEFAULT_CONNECTIONS,
    RetryPolicy,
    new_async_client,
    observed,
    secrets_of,
    send_with_retries,
)
from api.kickserv.codec import BACKEND, error_for, loads
from api.paging import walk_pages

NoteOwner = Literal["customers", "jobs"]
M = TypeVar("M", bound=BaseModel)
DEFAULT_PAGE_SIZE = 25


class KickservConnection:
    """One pooled connection to one Kickserv account; every call goes through `_request`."""

    def __init__(
        self,
        base_url: str,
        account: str,
        api_key: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 10.0,
        page_size: int = DEFAULT_PAGE_SIZE,
        lookup_ttl: float = 300.0,
        connections: int = DEFAULT_CONNECTIONS,
    ) -> None:
        self._secrets = secrets_of([api_key])  # hidden while this connection lives
        self._retry = retry or RetryPolicy()
        self._page_size = page_size
        self._lookups = AsyncTTLCache(lookup_ttl)
        self.transport = transport  # what it was given (the sandbox's ASGI transport), or None
        self._http = new_async_client(
            f"{base_url.rstrip('/')}/{quote(account, safe='')}",
            transport=transport,
            timeout=timeout,
            auth=(api_key, api_key),
            headers={"Accept": "application/json"},
            connections=connections,
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    def forget_lookups(self) -> None:
        """Drop the cached job types and employees: the next read of them asks Kickserv."""
        self._lookups.clear()

    async def call(
        self,
        method: str,
        path: str,
        *,
        action: str,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
    ) -> Any:
        """Send any request as given (unchecked) through the one choke point: for what no method
        here covers yet, as slack-sdk's `api_call` is. Returns the decoded JSON."""
        return await self._request(method, path, action=action, params=params, json_body=json_body)

    def _walk(
        self, fetch: Callable[[int], Awaitable[list[M]]], page_size: int | None = None
    ) -> AsyncIterator[M]:
        return walk_pages(fetch, page_size or self._page_size)

    async def _request(
        self,
        method: str,
        path: str,
        *,
        action: str,
        params: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
        json_body: Any = None,
        what: str = "record",
        is_read: bool | None = None,
    ) -> Any:
        """Send one request; map every failure to api.errors; return the decoded JSON."""
        with observed(BACKEND, action):
            request = self._http.build_request(method, path, params=params, json=json_body)
            is_read = method == "GET" if is_read is None else is_read
            response = await send_with_retries(
                self._http,
                request,
                backend=BACKEND,
                action=action,
                policy=self._retry,
                is_read=is_read,
            )
            if response.status_code >= 300:
                error = error_for(response, action, what)
                # A list names no record, so its "not found" cannot mean "none": a wrong address.
                if is_read and what == "record" and isinstance(error, NotFound):
                    status = response.status_code
                    error = InvalidRequest(
                        f"Kickserv did not recognise `{action}` (HTTP {status}).",
                        backend=BACKEND,
                        action=action,
                    )
                raise error
            if not response.content.strip():
                # Every read answers JSON: nothing is not "no records".
                if request.method == "GET":
                    raise MalformedResponse(
                        f"Kickserv sent an empty reply to `{action}`.",
                        backend=BACKEND,
                        action=action,
                    )
                return None
            return loads(response.text, action)


def notes_path(owner: NoteOwner, number: int, note_id: int | None = None) -> str:
    """The path of a customer's or a job's notes, or of one of them."""
    base = f"/{owner}/{int(number)}/notes"
    return f"{base}/{int(note_id)}.json" if note_id is not None else f"{base}.json"
