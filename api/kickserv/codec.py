"""Reading Kickserv's replies: JSON into models, and failures into api.errors."""

import json
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from api.errors import AuthFailed, BackendError, InvalidRequest, MalformedResponse, NotFound
from api.http import error_for_status

BACKEND = "Kickserv"
M = TypeVar("M", bound=BaseModel)


def loads(text: str, action: str) -> Any:
    """The JSON in `text`; MalformedResponse when it is not JSON."""
    try:
        return json.loads(text)
    except ValueError:
        raise MalformedResponse(
            f"Kickserv sent something that is not JSON to `{action}`.",
            backend=BACKEND,
            action=action,
        ) from None


def build(model: type[M], data: Any, action: str) -> M:
    """One record as `model`; MalformedResponse when it has another shape."""
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise MalformedResponse(
            f"Kickserv's reply to `{action}` is not the shape Deskhand expects.",
            backend=BACKEND,
            action=action,
        ) from err


def build_list(model: type[M], data: Any, action: str) -> list[M]:
    """A JSON array of records as `model`s."""
    if not isinstance(data, list):
        raise MalformedResponse(
            f"Kickserv's reply to `{action}` is not a list.", backend=BACKEND, action=action
        )
    return [build(model, item, action) for item in data]


def error_for(response: httpx.Response, action: str, what: str) -> BackendError:
    """Kickserv's failure replies -> api.errors, keeping its validation messages."""
    status = response.status_code
    body = _json_or_none(response)
    if status == 401:
        return AuthFailed(
            "Kickserv refused Deskhand's API key. Ask an admin to check KICKSERV_API_KEY "
            "(a password change in Kickserv changes the key).",
            backend=BACKEND,
            action=action,
        )
    if status == 404 or (status == 400 and "invalid" in response.text.lower()):
        return NotFound(f"Kickserv has no {what}.", backend=BACKEND, action=action)
    if status in (400, 422):
        messages, fields = _validation_messages(body if body is not None else response.text)
        text = "; ".join(messages) or "it did not say why"
        return InvalidRequest(
            f"Kickserv refused that: {text}.", backend=BACKEND, action=action, field_errors=fields
        )
    error = error_for_status(response, backend=BACKEND, action=action, what=what)
    assert error is not None
    return error


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _validation_messages(body: Any) -> tuple[list[str], dict[str, str]]:
    """Rails-style errors: {"errors": {field: [msg]}}, {"errors": [msg]} or a bare string."""
    errors = body.get("errors", body.get("error", body)) if isinstance(body, dict) else body
    if isinstance(errors, dict):
        fields = {
            str(k): "; ".join(map(str, v)) if isinstance(v, list) else str(v)
            for k, v in errors.items()
        }
        return [f"{k.replace('_', ' ')} {v}" for k, v in fields.items()], fields
    if isinstance(errors, list):
        return [str(e) for e in errors], {}
    if isinstance(errors, str) and errors.strip():
        return [errors.strip()], {}
    return [], {}
