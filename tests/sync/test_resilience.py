"""The client against a misbehaving sandbox: throttling, 5xx, dropped connections, and a paced run.

The sandbox logs every ``/api`` request it sees (``sandbox.app.log``), so the tests count what actually
reached the server: retries, duplicates, and requests per rate-limit window.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from omnidesk_macros.errors import ApiError, RateLimitError, TransportError
from sync.client import Client
from sync.sandbox import SandboxServer


def notes_on(api: Client, case_id: int) -> list[dict[str, Any]]:
    return [m for m in api.iter_messages(case_id) if m["note"]]


def outcomes(sandbox: SandboxServer, path_part: str = "") -> list[str]:
    return [entry.outcome for entry in sandbox.app.log if path_part in entry.path]


def test_survives_a_429_storm(sandbox: SandboxServer, api: Client) -> None:
    sandbox.app.faults.configure({"throttle": {"count": 6, "retry_after": 2}})
    label = api.create_label("После шторма")
    assert outcomes(sandbox) == ["throttled"] * 6 + ["ok"]
    assert [item["label_title"] for item in api.iter_labels()].count("После шторма") == 1
    assert label["label_title"] == "После шторма"


def test_403_rate_limit_variant_is_survived_too(sandbox: SandboxServer, api: Client) -> None:
    sandbox.app.faults.configure({"throttle": {"count": 2, "status": 403}})
    assert api.get_case(5003)["case_id"] == 5003
    assert outcomes(sandbox) == ["throttled", "throttled", "ok"]


def test_a_storm_longer_than_the_retry_budget_is_a_rate_limit_error(
    sandbox: SandboxServer, sandbox_client: Callable[..., Client]
) -> None:
    sandbox.app.faults.configure({"throttle": {"count": 100, "retry_after": 1}})
    with pytest.raises(RateLimitError, match="kept throttling GET /api/labels.json"):
        list(sandbox_client(max_attempts=4).iter_labels())
    assert outcomes(sandbox) == ["throttled"] * 4


def test_reads_and_idempotent_writes_survive_a_5xx_burst(sandbox: SandboxServer, api: Client) -> None:
    sandbox.app.faults.configure({"error": {"count": 3, "status": 502}})
    assert len(list(api.iter_cases(status="open"))) == 8
    sandbox.app.faults.configure({"error": {"count": 2, "status": 503, "after_write": True, "methods": ["PUT"]}})
    case = api.update_case(5004, add_labels=[403])
    assert case["labels"] == [401, 402, 403]
    assert outcomes(sandbox, "cases/5004") == ["fault", "fault", "ok"]


def test_a_5xx_after_a_note_was_written_is_not_retried(sandbox: SandboxServer, api: Client) -> None:
    sandbox.app.faults.configure({"error": {"count": 1, "status": 502, "after_write": True, "methods": ["POST"]}})
    with pytest.raises(ApiError, match="502") as caught:
        api.add_note(5005, "Письмо", attachment=("letter.pdf", b"%PDF", "application/pdf"))
    assert caught.value.status == 502
    assert len(notes_on(api, 5005)) == 1  # written once, reported as failed, never written twice


def test_a_dropped_connection_after_a_write_does_not_duplicate_the_note(sandbox: SandboxServer, api: Client) -> None:
    sandbox.app.faults.configure({"drop": {"count": 1, "after_write": True, "methods": ["POST"]}})
    with pytest.raises(TransportError, match="may have reached Omnidesk"):
        api.add_note(5006, "Письмо")
    assert outcomes(sandbox, "note") == ["dropped"]
    assert len(notes_on(api, 5006)) == 1


def test_reads_survive_a_connection_dropped_after_n_requests(sandbox: SandboxServer, api: Client) -> None:
    sandbox.app.faults.configure({"drop": {"skip": 3, "count": 2}})
    numbers = [api.get_case(5000 + n)["case_number"] for n in range(6)]
    assert numbers == [f"664-{245651 + n:06d}" for n in range(6)]
    assert outcomes(sandbox) == ["ok"] * 3 + ["dropped", "dropped"] + ["ok"] * 3


def test_paced_run_of_500_requests_never_exceeds_the_limit(
    sandbox: SandboxServer, sandbox_client: Callable[..., Client]
) -> None:
    """500 requests against a limit of 120 per (shortened) minute: no 429, no window ever over the limit.

    The sandbox's "minute" lasts one second here, and the client is told so; everything else is as in
    production: the client learns the limit from the headers and paces on its own.
    """
    limit, window = 120, 1.0
    sandbox.app.reconfigure(rate_limit_per_minute=limit, rate_window=window)
    client = sandbox_client(rate_window=window)
    started = time.monotonic()
    for n in range(500):
        client.request("GET", f"cases/{5000 + n % 24}.json")
    elapsed = time.monotonic() - started
    log = sandbox.app.log
    assert len(log) == 500
    assert {entry.outcome for entry in log} == {"ok"}
    arrivals = [entry.at for entry in log]
    busiest = max(sum(1 for t in arrivals if a - window < t <= a) for a in arrivals)
    assert busiest <= limit
    # the client used the budget, it did not merely crawl; half of it leaves room for a loaded 2-core CI machine
    assert busiest >= limit // 2
    assert elapsed >= (500 // limit) * window * 0.9


def test_three_clients_sharing_one_account_all_finish(
    sandbox: SandboxServer, sandbox_client: Callable[..., Client]
) -> None:
    """Each client paces itself, but together they overrun the account: the server throttles, all finish."""
    limit, window = 40, 0.5
    sandbox.app.reconfigure(rate_limit_per_minute=limit, rate_window=window)
    # throttled attempts are expected here: the 20 s deadline, not the attempt count, bounds each call
    clients = [sandbox_client(rate_window=window, max_attempts=1000) for _ in range(3)]
    done: list[int] = []

    def run(client: Client) -> None:
        for n in range(50):
            client.request("GET", f"cases/{5000 + n % 24}.json")
        done.append(1)

    threads = [threading.Thread(target=run, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(done) == 3
    accepted = [entry.at for entry in sandbox.app.log if entry.outcome == "ok"]
    assert len(accepted) == 150
    assert max(sum(1 for t in accepted if a - window < t <= a) for a in accepted) <= limit
