"""The collector tuning of a serving process (bot/heap.py): full collections leave the request
path for the scheduler's clock, and garbage is still reclaimed."""

import gc
import weakref

import pytest

import bot.scheduler as scheduler_module
from bot.heap import FULL_COLLECTION_EVERY, collect_old_objects, settle_heap
from bot.scheduler import Scheduler


class Node:
    """An object that can sit in a reference cycle."""

    other: "Node | None" = None


@pytest.fixture
def settled():
    """settle_heap() for one test, then the collector's thresholds as they were. What it froze
    stays frozen, as the session's own freeze (tests/conftest.py) leaves the worker: unfrozen,
    every object of the session went back to being walked by each full collection."""
    before = gc.get_threshold()
    settle_heap()
    yield
    gc.set_threshold(*before)


def test_a_settled_process_still_reclaims_cycles_made_while_it_serves(settled):
    first, second = Node(), Node()
    first.other, second.other = second, first
    gone = weakref.ref(first)
    gc.collect(1)  # still in use: it survives into the oldest generation
    del first, second
    gc.collect(1)  # a young collection does not look at the oldest generation
    assert gone() is not None, "the cycle waits for the full collection"
    assert gc.get_threshold()[0] > 0, "young collections stay automatic"
    assert collect_old_objects() >= 2  # the two nodes of the cycle, found unreachable
    assert gone() is None


async def test_the_scheduler_runs_the_full_collection_once_it_is_due(monkeypatch):
    async def nothing(*args, **kwargs):
        return []

    for worker in (
        "sweep_claims",
        "sweep_visit_notes",
        "run_due",
        "poll_watches",
        "poll_job_changes",
    ):
        monkeypatch.setattr(scheduler_module, worker, nothing)
    runs = []
    monkeypatch.setattr(scheduler_module, "collect_old_objects", lambda: runs.append(1) or 0)
    now = [1000.0]  # the event loop's clock, as the scheduler reads it
    monkeypatch.setattr(scheduler_module, "loop_time", lambda: now[0])
    scheduler = Scheduler(None, None, None, None)  # type: ignore[arg-type]
    await scheduler.look()
    assert runs == [], "not due right after start"
    now[0] += FULL_COLLECTION_EVERY
    await scheduler.look()
    await scheduler.look()
    assert runs == [1], "once per interval"
    now[0] += FULL_COLLECTION_EVERY
    await scheduler.look()
    assert runs == [1, 1], "and again the next interval"
