"""The client's rate budget: it waits before it would exceed the limit, never after."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from sync.pacing import Backoff, RateBudget, header_int
from sync.sandbox.faults import SlidingWindow


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_unknown_limit_never_waits() -> None:
    assert RateBudget(clock=Clock()).delay() == 0


def test_waits_until_the_oldest_completion_leaves_the_window() -> None:
    clock = Clock()
    budget = RateBudget(window=60, reserve=1, clock=clock)
    for second in range(4):
        clock.now = float(second)
        assert budget.take_slot() == 0
        budget.finished(limit=5, calls_left=5 - second - 1)
    clock.now = 4.0
    assert budget.delay() == 56.0  # 4 calls of an effective 4 (5 less the reserve): wait for the one at t=0
    clock.now = 60.0
    assert budget.delay() == 0


def test_take_slot_takes_the_slot_it_finds_free() -> None:
    """Threads sharing one client must not all see the last free slot: taking it counts the call at once."""
    budget = RateBudget(window=60, reserve=0, clock=Clock(), limit=3)
    waits = [budget.take_slot() for _ in range(4)]
    assert waits[:3] == [0, 0, 0] and waits[3] > 0


def test_exhausted_account_spent_by_someone_else_waits_one_slot() -> None:
    clock = Clock()
    budget = RateBudget(window=60, reserve=0, clock=clock)
    assert budget.take_slot() == 0
    budget.finished(limit=30, calls_left=0)
    assert budget.delay() == 2.0


@settings(max_examples=60, deadline=None)
@given(
    limit=st.integers(min_value=2, max_value=20),
    latencies=st.lists(st.floats(min_value=0.0, max_value=3.0), min_size=30, max_size=120),
)
def test_paced_calls_never_exceed_the_servers_window(limit: int, latencies: list[float]) -> None:
    """Whatever the latency, the server's sliding window never holds more than ``limit`` arrivals."""
    clock = Clock()
    budget = RateBudget(window=10, reserve=0, clock=clock)
    server = SlidingWindow(limit, 10, clock)
    budget.limit = limit
    rng = random.Random(len(latencies))
    for latency in latencies:
        while (delay := budget.take_slot()) > 0:
            clock.now += delay
        clock.now += latency * rng.random()  # the request travels
        admission = server.admit()
        assert admission.admitted, "the client sent a request the server had to refuse"
        clock.now += latency * rng.random()  # the answer travels
        budget.finished(limit=limit, calls_left=admission.calls_left)


def test_throttle_wait_honours_retry_after_with_a_cap_and_jitter() -> None:
    backoff = Backoff(max_wait=30, jitter=1.0, rng=random.Random(1))
    assert 12 <= backoff.after_throttle(12, 1) <= 13
    assert 30 <= backoff.after_throttle(3600, 1) <= 31
    assert 0 < backoff.after_throttle(None, 1) <= backoff.base


def test_failure_backoff_grows_and_is_capped() -> None:
    backoff = Backoff(base=1, max_backoff=8, rng=random.Random(2))
    assert [backoff.after_failure(n) <= min(8, 2 ** (n - 1)) for n in range(1, 8)] == [True] * 7
    assert backoff.after_failure(10) >= 4


def test_header_values_are_lenient() -> None:
    values = ("12", " 3 ", "1.2", "", "soon", None, "inf", "1e400", "nan")
    assert [header_int(v) for v in values] == [12, 3, 2, None, None, None, None, None, None]
