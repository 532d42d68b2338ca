"""Sandbox throughput and latency under 4, 16 and 200 concurrent clients, old server (main) against new.

    .venv/bin/python benchmarks/bench_sandbox.py [--runs 3] [--requests 400] [--base main]

Each server runs in a process of its own (so the load generator does not share its GIL), with the rate limit
out of the way. The old one is imported from ``git archive <base> sync/`` unpacked into a temporary folder
as the package ``sync_old``. Each client is a thread with its own keep-alive connection; all start at once
(a barrier), so with 200 clients the first request of each arrives as 200 simultaneous connections. A request
is ``GET /api/cases.json?limit=10`` with Basic auth. Printed per server and concurrency: requests/s and the
p50 and p95 latency in ms of the answered requests, as the median of the runs, with min–max over the runs,
and how many requests failed in all runs (no answer within 30 s, or an error status). Goal: 200
simultaneous requests with p95 under 500 ms.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import io
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AUTH = "Basic " + base64.b64encode(b"admin@sandbox.local:sandbox-key").decode()
CONCURRENCY = (4, 16, 200)
TARGET = "/api/cases.json?limit=10"
TIMEOUT = 30

SERVE = """
import sys
sys.path[:0] = [{root!r}, {old!r}]
from {package}.sandbox import SandboxConfig, SandboxServer
server = SandboxServer({data!r}, port=0, config=SandboxConfig(rate_limit_per_minute=10**9))
print(server.url, flush=True)
with server:
    server.serve_until_stopped()
"""


def unpack_old(base: str, into: Path) -> Path:
    """``sync/`` of ``base`` as the package ``sync_old`` under ``into``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", base, "sync"], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    (into / "sync").rename(into / "sync_old")
    return into


def start_server(package: str, old: Path, data: Path) -> tuple[subprocess.Popen[str], str]:
    code = SERVE.format(root=str(ROOT), old=str(old), package=package, data=str(data))
    # stderr dropped: the old server prints a BrokenPipe traceback for each client that gave up (issue 8)
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True)
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    if not url.startswith("http://"):
        process.kill()
        raise SystemExit(f"the {package} sandbox did not start")
    return process, url


def load(url: str, clients: int, total: int) -> tuple[float, list[float], int]:
    """``total`` requests from ``clients`` threads at once: (answered per second, their latencies in seconds,
    how many failed: an error status, or no answer within :data:`TIMEOUT` seconds, which ends that client)."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    per_client = max(1, total // clients)
    barrier = threading.Barrier(clients + 1)
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def client() -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=TIMEOUT)
        mine = []
        barrier.wait()
        try:
            for _ in range(per_client):
                started = time.perf_counter()
                connection.request("GET", TARGET, headers={"Authorization": AUTH})
                response = connection.getresponse()
                response.read()
                mine.append(time.perf_counter() - started)
                if response.status != 200:
                    failures.append(str(response.status))
        except OSError as exc:
            failures.extend([repr(exc)] * (per_client - len(mine)))
        finally:
            connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, latencies, len(failures)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def spread(values: list[float], fmt: str) -> str:
    return f"{format(statistics.median(values), fmt)} ({format(min(values), fmt)}–{format(max(values), fmt)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=400, help="requests per run (200 clients: at least 1 each)")
    parser.add_argument("--base", default="main", help="git revision of the old server")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old = unpack_old(args.base, Path(tmp) / "old")
        print(f"{args.runs} runs × {args.requests} requests of GET {TARGET}; median (min–max) over runs")
        print(f"{'server':<12}{'clients':>8}  {'requests/s':<22}{'p50 ms':<22}{'p95 ms':<22}failed")
        for package, label in (("sync_old", f"old ({args.base})"), ("sync", "new")):
            process, url = start_server(package, old, Path(tmp) / f"{package}.sqlite3")
            try:
                load(url, 4, 100)  # warm-up: imports, SQLite pages
                for clients in CONCURRENCY:
                    rates, p50s, p95s, failed = [], [], [], 0
                    for _ in range(args.runs):
                        rate, latencies, failures = load(url, clients, max(args.requests, clients))
                        failed += failures
                        rates.append(rate)
                        p50s.append(percentile(latencies, 0.50) * 1000)
                        p95s.append(percentile(latencies, 0.95) * 1000)
                    print(f"{label:<12}{clients:>8}  {spread(rates, '.0f'):<22}{spread(p50s, '.1f'):<22}"
                          f"{spread(p95s, '.1f'):<22}{failed}", flush=True)
            finally:
                process.terminate()
                process.wait(timeout=30)


if __name__ == "__main__":
    main()
