"""The soak's weather: faults switched on and off on ReadyDesk, Kickserv and Slack every 20-40 s
through the fault layer's public API, and one replica restarted every few minutes."""

import asyncio
import contextlib
import random
import time
from dataclasses import dataclass, field
from typing import Any

from _soak_world import Fakes, Replica

from sandbox.faults import Faults

FLAP_SECONDS = (20.0, 40.0)
RESTART_SECONDS = (120.0, 180.0)
# The backends' writes, which the apply-late faults pick out (ReadyDesk writes are GETs with an
# action; Kickserv's are POSTs).
WRITES = {
    "readydesk": [{"query": {"action": a}} for a in ("add_history", "add_ticket", "update_ticket")],
    "kickserv": [{"method": "POST"}],
}


def _backend_weather(rng: random.Random, faults: Faults, system: str) -> str:
    """One backend's faults for the next spell; what they are, in words."""
    choice = rng.choice(("calm", "calm", "502", "timeout", "applied 504", "latency", "late"))
    if choice == "502":
        faults.add("status", status=502)
    elif choice == "latency":
        faults.add("latency", seconds=rng.uniform(0.5, 2.5))
    for where in WRITES[system]:
        if choice == "timeout":  # past the client's 10 s: sent, and never answered in time
            faults.add("latency", seconds=12.0, **where)
        elif choice == "applied 504":
            faults.add("applied_status", status=504, **where)
        elif choice == "late":  # applied, the answer 12 s late
            faults.add("latency_after", seconds=12.0, **where)
    return choice


def _slack_weather(rng: random.Random, fakes: Fakes) -> str:
    """Slack's faults for the next spell (response_url 500/429, chat.postMessage ratelimited)."""
    choice = rng.choice(("calm", "calm", "response_url 500", "response_url 429", "ratelimited"))
    if choice == "response_url 500":
        fakes.slack_faults.add("status", status=500, path="/response/")
    elif choice == "response_url 429":
        fakes.slack_faults.add(
            "status", status=429, path="/response/", headers={"Retry-After": "1"}
        )
    elif choice == "ratelimited":
        fakes.slack.rate_limits["chat.postMessage"] = rng.randint(3, 10)
    return choice


def calm(fakes: Fakes) -> None:
    """Every fault off."""
    for faults in fakes.backend_faults.values():
        faults.clear()
    fakes.slack_faults.clear()
    fakes.slack.rate_limits.clear()


@dataclass
class Chaos:
    """Flaps the fakes and restarts replicas until `stop` is set; keeps a log of what it did."""

    fakes: Fakes
    replicas: list[Replica]
    rng: random.Random
    log: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def _note(self, what: str) -> None:
        self.log.append(f"{time.monotonic() - self.started:6.0f}s {what}")

    async def flap(self, stop: asyncio.Event) -> None:
        """A new spell of weather every 20-40 s until `stop`."""
        while not stop.is_set():
            calm(self.fakes)
            spell: dict[str, Any] = {
                name: _backend_weather(self.rng, faults, name)
                for name, faults in self.fakes.backend_faults.items()
            }
            spell["slack"] = _slack_weather(self.rng, self.fakes)
            self._note(", ".join(f"{k} {v}" for k, v in spell.items()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.rng.uniform(*FLAP_SECONDS))
        calm(self.fakes)

    async def restart(
        self, stop: asyncio.Event, every: tuple[float, float] = RESTART_SECONDS
    ) -> None:
        """Every few minutes SIGTERM one replica (the other keeps serving), then start it again."""
        turn = 0
        while True:
            try:
                await asyncio.wait_for(stop.wait(), self.rng.uniform(*every))
                return
            except TimeoutError:
                pass
            replica = self.replicas[turn % len(self.replicas)]
            turn += 1
            self._note(f"restart {replica.name}")
            await replica.restart()
            self._note(f"{replica.name} up again")
