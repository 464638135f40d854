"""The Slack fake's custom-step (function) executions: each `function_executed` event it starts
carries a `bot_access_token` of its own (`xwfp-…`), which Slack accepts for Web API calls until the
execution completes; `functions.completeSuccess` / `functions.completeError` end it, once.
Wire names are Slack's (api.slack.com/methods/functions.completeSuccess)."""

import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

WORKFLOW_TOKEN_PREFIX = "xwfp-"  # noqa: S105 - the shape of Slack's execution tokens


@dataclass
class Execution:
    """One run of a step: its inputs, its token and how it ended (None while running)."""

    execution_id: str
    callback_id: str
    inputs: dict[str, Any]
    token: str
    outputs: dict[str, Any] | None = None
    error: str | None = None
    started: float = field(default_factory=time.monotonic)

    @property
    def done(self) -> bool:
        """True once completeSuccess or completeError was called for it."""
        return self.outputs is not None or self.error is not None


class FunctionExecutions:
    """The executions the fake has started, by id, and the tokens that belong to them."""

    def __init__(self) -> None:
        self.runs: dict[str, Execution] = {}
        self._by_token: dict[str, str] = {}

    def start(self, callback_id: str, inputs: dict[str, Any]) -> Execution:
        """A new execution of `callback_id` with its own token."""
        execution_id = "Fx" + secrets.token_hex(5).upper()
        token = WORKFLOW_TOKEN_PREFIX + secrets.token_hex(12)
        run = Execution(execution_id, callback_id, inputs, token)
        self.runs[execution_id] = run
        self._by_token[token] = execution_id
        return run

    def accepts(self, token: str) -> bool:
        """True for an execution's token while that execution runs (Slack's are short-lived)."""
        run = self.runs.get(self._by_token.get(token, ""))
        return run is not None and not run.done

    def complete(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        """functions.completeSuccess / completeError: the execution's outcome, recorded once."""
        run = self.runs.get(str(payload.get("function_execution_id") or ""))
        if run is None:
            return {"ok": False, "error": "function_execution_not_found"}
        if run.done:
            return {"ok": False, "error": "function_execution_already_completed"}
        if method == "functions.completeError":
            if not payload.get("error"):
                return {"ok": False, "error": "invalid_arguments"}
            run.error = str(payload["error"])
            return {"ok": True}
        outputs = payload.get("outputs")
        try:
            run.outputs = json.loads(outputs) if isinstance(outputs, str) else dict(outputs or {})
        except (TypeError, ValueError):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True}
