"""The soak's traffic: signed Slack requests (reads and writes, each write with its own text,
person and surface) alternated between the replicas that are up, and what came back."""

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from _soak_ledger import Write, flat_text
from _soak_world import SECRET, Fakes, Replica

from api.kickserv import JobType
from cards import ids
from cards.job_form import JobForm, job_modal
from cards.modals import NOTE_BLOCK, note_modal
from cards.refs import NoteTarget
from cards.ticket_form import TicketForm, ticket_modal
from playground.slack_requests import SlackRequests
from playground.web.actions import view_state
from sandbox.slack import sandbox_user

CHANNEL = {"id": "C0SOAK", "name": "soak"}
EMAIL = "pat@fieldcrew.example"  # a person both backends know: their technician and employee
WRITE_SHARE = 0.15
WRITE_KINDS = {  # kind: weight
    "note": 35,
    "job note": 15,
    "note form": 15,
    "status": 15,
    "ticket new": 10,
    "job new": 10,
}
STATUSES = ("Open", "Assigned", "Awaiting Response", "Escalated")
IN_FLIGHT = 200  # requests outstanding at once, at most
ACK_TIMEOUT = 10.0


@dataclass
class StatusChange:
    """A status write: landed when the ticket's history says so after `index`."""

    tid: int
    status: str
    index: int


@dataclass
class Traffic:
    """Everything sent and how each request was acknowledged."""

    fakes: Fakes
    replicas: list[Replica]
    rng: random.Random
    tag: str
    writes: list[Write] = field(default_factory=list)
    status_changes: dict[str, StatusChange] = field(default_factory=dict)
    acks_ms: list[float] = field(default_factory=list)
    answers: dict[int, int] = field(default_factory=dict)  # HTTP status -> count (0: no answer)
    reads: int = 0
    skipped: int = 0  # nobody up to send to
    _sent: int = 0
    _turn: int = 0

    def __post_init__(self) -> None:
        self.requests = SlackRequests(SECRET)
        data = self.fakes.readydesk_data
        self.tickets = sorted(data.tickets)
        self.status_pool = [t for t in self.tickets if data.tickets[t].status != "Closed"][::-1]
        ks = self.fakes.kickserv_data
        self.jobs = sorted(j.job_number for j in ks.jobs.values())
        self.ks_customers = sorted(ks.customers)[:20]
        self.job_types = [JobType(id=k, name=v) for k, v in ks.job_types.items()]

    def _replica(self) -> Replica | None:
        up = [r for r in self.replicas if r.up]
        if not up:
            return None
        self._turn += 1
        return up[self._turn % len(up)]

    async def run(self, seconds: float, rate: float) -> None:
        """Send requests at about `rate` a second for `seconds`, then wait for their acks."""
        limit = asyncio.Semaphore(IN_FLIGHT)
        tasks: set[asyncio.Task[None]] = set()
        due = time.monotonic()
        end = due + seconds
        async with httpx.AsyncClient(timeout=ACK_TIMEOUT) as client:
            while due < end:
                await limit.acquire()
                task = asyncio.create_task(self._one(client))
                tasks.add(task)
                task.add_done_callback(lambda t: (tasks.discard(t), limit.release()))
                # Poisson arrivals on the clock, so a slow turn of the loop is made up.
                due += self.rng.expovariate(rate)
                await asyncio.sleep(max(0.0, due - time.monotonic()))
            if tasks:
                await asyncio.wait(tasks, timeout=ACK_TIMEOUT + 5)

    async def _one(self, client: httpx.AsyncClient) -> None:
        replica = self._replica()
        if replica is None:
            self.skipped += 1
            return
        self._sent += 1
        n = self._sent
        if self.rng.random() < WRITE_SHARE:
            kinds, weights = zip(*WRITE_KINDS.items(), strict=True)
            kind = self.rng.choices(kinds, weights)[0]
            write, body = self._write(kind, n)
            self.writes.append(write)
            write.status = await self._post(client, replica, body, write)
        else:
            self.reads += 1
            await self._post(client, replica, self._read(n), None)

    async def _post(
        self, client: httpx.AsyncClient, replica: Replica, body: str, write: Write | None
    ) -> int:
        started = time.monotonic()
        try:
            answer = await client.post(
                f"{replica.url}/slack/events", content=body, headers=self.requests.headers(body)
            )
        except httpx.HTTPError:
            self.answers[0] = self.answers.get(0, 0) + 1
            return 0
        self.acks_ms.append(1000 * (time.monotonic() - started))
        self.answers[answer.status_code] = self.answers.get(answer.status_code, 0) + 1
        if write is not None and answer.content:
            try:
                write.told.append((time.monotonic(), flat_text(answer.json())))
            except ValueError:
                write.told.append((time.monotonic(), answer.text))
        return answer.status_code

    def _command(self, command: str, text: str, user: str, surface: str) -> str:
        return self.requests.command(
            command,
            text,
            user={"id": user, "name": "pat"},
            channel=CHANNEL,
            response_url=self.fakes.slack.response_url(surface),
        )

    def _read(self, n: int) -> str:
        choice = self.rng.randrange(4)
        words = {
            0: ("/ticket", str(self.rng.choice(self.tickets[:200]))),
            1: ("/customer", self.rng.choice(("demo", "Weasel", "acme"))),
            2: ("/tickets", ""),
            3: ("/job", str(self.rng.choice(self.jobs))),
        }[choice]
        return self._command(*words, "U1", f"{self.tag}-r{n}")

    def _write(self, kind: str, n: int) -> tuple[Write, str]:
        key = f"SOAK{self.tag}W{n:06d}"
        user = f"U{self.tag}P{n:06d}"
        self.fakes.slack.users[user] = sandbox_user(user, "Pat Lee", EMAIL)
        surface = f"{self.tag}-w{n}"
        text = f"Soak check {key}"
        if kind == "note":
            tid = self.rng.choice(self.tickets[:200])
            body = self._command("/note", f"ticket {tid} {text}", user, surface)
        elif kind == "job note":
            body = self._command("/note", f"job {self.rng.choice(self.jobs)} {text}", user, surface)
        elif kind == "status":
            body = self._status(key, user, surface)
        else:
            surface = f"VSOAK{self.tag}{n:06d}"
            body = self._form(kind, text, user, surface)
        return Write(key, kind, user, surface), body

    def _status(self, key: str, user: str, surface: str) -> str:
        data = self.fakes.readydesk_data
        tid = self.status_pool[len(self.status_changes) % len(self.status_pool)]
        now = data.tickets[tid].status
        status = self.rng.choice([s for s in STATUSES if s != now])
        self.status_changes[key] = StatusChange(tid, status, len(data.history.get(tid, [])))
        action = {
            "type": "static_select",
            "action_id": ids.TICKET_SET_STATUS,
            "block_id": f"ticket_{tid}",
            "selected_option": {"text": {"type": "plain_text", "text": status}, "value": status},
        }
        return self.requests.block_actions(
            action,
            user={"id": user, "name": "pat"},
            container={"type": "message", "message_ts": f"{time.time():.6f}", "is_ephemeral": True},
            channel=CHANNEL,
            response_url=self.fakes.slack.response_url(surface),
        )

    def _form(self, kind: str, text: str, user: str, view_id: str) -> str:
        """A form as the app draws it, filled in and submitted (its view id names the intent)."""
        values: dict[str, Any]
        if kind == "note form":
            tid = self.rng.choice(self.tickets[:200])
            target = NoteTarget(kind="ticket", number=str(tid), channel_id=CHANNEL["id"])
            view = note_modal(target).to_dict()
            values = {NOTE_BLOCK: text}
        elif kind == "ticket new":
            view = ticket_modal(TicketForm(channel_id=CHANNEL["id"]), None, ["Normal"]).to_dict()
            values = {"customer": "readydesk:demo", "subject": text, "priority": "Normal"}
        else:
            customer = self.rng.choice(self.ks_customers)
            form = JobForm(channel_id=CHANNEL["id"], customer_value=f"kickserv:{customer}")
            view = job_modal(form, self.job_types).to_dict()
            service = str(self.job_types[0].job_type_id)
            values = {"customer": f"kickserv:{customer}", "service": service, "description": text}
        view = {**view, "id": view_id}
        state = view_state(view, values)
        return self.requests.view_submission(view, state, user={"id": user, "name": "pat"})

    def landed(self) -> dict[str, int]:
        """How many times each status change landed, from the ticket's own history."""
        history = self.fakes.readydesk_data.history
        ends: dict[str, int] = {}
        later: dict[int, int] = {}  # the next change's start on the same ticket bounds this one
        for key, change in reversed(list(self.status_changes.items())):
            ends[key] = later.get(change.tid, 10**9)
            later[change.tid] = change.index
        return {
            key: sum(
                h.note == f"Status changed to {c.status}."
                for h in history.get(c.tid, [])[c.index : ends[key]]
            )
            for key, c in self.status_changes.items()
        }
