"""The print service under load: 20 concurrent clients against the sandbox, over real HTTP on loopback.

Each client signs in, then repeatedly issues a letter for a sandbox case (POST → the on-screen letter page)
and downloads its DOCX. Reports letters per second and p50/p95 of the on-screen letter and of the DOCX
(goal ≥ 100 letters/s, p95 ≤ 150 ms), then the time to a PDF through the service (LibreOffice, if present;
through the warm office when python3-uno is installed, else a cold start per PDF).

    .venv/bin/python benchmarks/bench_service.py [--clients 20] [--letters 20] [--pdf 3]
"""

from __future__ import annotations

import argparse
import multiprocessing
import re
import statistics
import sys
import tempfile
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from omnidesk_macros.letter.pdf import find_soffice  # noqa: E402
from omnidesk_macros.loader import default_templates_dir  # noqa: E402
from print_service.accounts import add_user  # noqa: E402
from print_service.app import create_app  # noqa: E402
from print_service.config import ServiceSettings  # noqa: E402
from print_service.db import Database  # noqa: E402
from print_service.server import ServiceThread  # noqa: E402
from sync.sandbox import SandboxConfig, SandboxServer  # noqa: E402
from sync.settings import OmnideskSettings  # noqa: E402

PASSWORD = "benchmark password"
CASES = [f"664-{245651 + n:06d}" for n in range(24)]


def signed_in(url: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=url, timeout=30)
    page = client.get("/signin")
    csrf = re.search(r'data-csrf="([^"]+)"', page.text)
    assert csrf, "no CSRF token on the sign-in page"
    answer = client.post("/signin", data={"csrf": csrf.group(1), "username": "bench", "password": PASSWORD})
    assert answer.status_code == 303, answer.text[:200]
    start = client.get("/")
    token = re.search(r'data-csrf="([^"]+)"', start.text)
    assert token
    return client, token.group(1)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def serve(data: Path, pipe: Connection) -> None:
    """The sandbox and the service, in a process of their own: the clients must not share its GIL."""
    config = SandboxConfig(rate_limit_per_minute=1_000_000)
    with SandboxServer(data / "sandbox.sqlite3", port=0, config=config).start() as sandbox:
        settings = ServiceSettings(secret_key=b"benchmark-secret-key-0123", sandbox=True)
        app = create_app(settings, OmnideskSettings(url=sandbox.url), default_templates_dir(), data)
        with ServiceThread(app) as service:
            app.state.service.pdf.start()  # wait for the warm office: its start must not load the timed run
            pipe.send(service.url)
            pipe.recv()  # until the benchmark is done
        app.state.service.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--letters", type=int, default=20, help="letters per client")
    parser.add_argument("--pdf", type=int, default=3, help="PDFs to time (0: none)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        add_user(Database(data), "bench", "Кузнецова Ольга Сергеевна", PASSWORD, "Специалист ЦОК")
        ours, theirs = multiprocessing.Pipe()
        server = multiprocessing.Process(target=serve, args=(data, theirs))
        server.start()
        try:
            run(ours.recv(), args)
        finally:
            ours.send("stop")
            server.join(timeout=30)


def run(url: str, args: argparse.Namespace) -> None:
    screen: list[float] = []
    docx: list[float] = []
    lock = threading.Lock()
    sessions = [signed_in(url) for _ in range(args.clients)]
    for client, _ in sessions[:1]:  # warm the card cache and the letterhead once
        for case in CASES:
            client.get(f"/cases/{case}")
    barrier = threading.Barrier(args.clients)

    def worker(index: int) -> None:
        client, csrf = sessions[index]
        barrier.wait()
        for n in range(args.letters):
            case = CASES[(index + n) % len(CASES)]
            started = time.perf_counter()
            issued = client.post(f"/cases/{case}/letter", data={"csrf": csrf, "template": "e-receipt"})
            assert issued.status_code == 303, issued.text[:300]
            page = client.get(issued.headers["location"])
            assert page.status_code == 200 and "article" in page.text
            middle = time.perf_counter()
            file = client.get(issued.headers["location"] + ".docx")
            assert file.status_code == 200 and file.content[:2] == b"PK"
            ended = time.perf_counter()
            with lock:
                screen.append(middle - started)
                docx.append(ended - middle)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    total = len(screen)
    rate = total / wall
    p = {name: (percentile(v, 0.5) * 1000, percentile(v, 0.95) * 1000) for name, v in (("screen", screen), ("docx", docx))}
    print(f"print service, {args.clients} concurrent clients × {args.letters} letters, sandbox on loopback")
    print(f"  letters        {rate:7.1f} letters/s  ({total} letters in {wall:.2f} s)")
    print(f"  on-screen      p50 {p['screen'][0]:6.1f} ms   p95 {p['screen'][1]:6.1f} ms   (issue + letter page)")
    print(f"  DOCX           p50 {p['docx'][0]:6.1f} ms   p95 {p['docx'][1]:6.1f} ms")
    goal = rate >= 100 and p["screen"][1] <= 150 and p["docx"][1] <= 150
    print(f"targets: ≥ 100 letters/s, p95 ≤ 150 ms: {'met' if goal else 'NOT met'}")
    if args.pdf and find_soffice():
        client, csrf = sessions[0]
        times = []
        for _ in range(args.pdf):
            issued = client.post(f"/cases/{CASES[0]}/letter", data={"csrf": csrf, "template": "e-receipt"})
            started = time.perf_counter()
            pdf = client.get(issued.headers["location"] + ".pdf", timeout=120)
            times.append(time.perf_counter() - started)
            assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF", pdf.text[:200]
        print(f"  PDF            p50 {statistics.median(times) * 1000:6.0f} ms   min {min(times) * 1000:.0f}  "
              f"max {max(times) * 1000:.0f} ms   ({len(times)} PDFs; goal ≤ 1000 ms p50)")
    elif args.pdf:
        print("  PDF            skipped: LibreOffice is not installed")
    for client, _ in sessions:
        client.close()


if __name__ == "__main__":
    main()
