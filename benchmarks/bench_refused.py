"""How long `render --case N` takes to fail when nothing listens on the sandbox's loopback port.

A refused connection on loopback is final at once (sync/requester.py); before, the client retried with
back-off for ~46 s. Runs the real command in a subprocess, several times, and prints the spread.

    .venv/bin/python benchmarks/bench_refused.py [RUNS]
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET_S = 1.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    env = {**os.environ, "OMNIDESK_URL": f"http://127.0.0.1:{free_port()}",
           "OMNIDESK_EMAIL": "admin@sandbox.local", "OMNIDESK_API_KEY": "sandbox-key"}
    command = [sys.executable, "cli.py", "render", "e-receipt", "--case", "664-245651", "--out", "/tmp/x.docx"]
    startup = [sys.executable, "cli.py", "--version"]
    timings, baseline = [], []
    for _ in range(runs):
        started = time.perf_counter()
        result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
        timings.append(time.perf_counter() - started)
        started = time.perf_counter()
        subprocess.run(startup, cwd=REPO, capture_output=True, timeout=60)
        baseline.append(time.perf_counter() - started)
    print(f"render --case with nothing listening: {runs} runs")
    print(f"  wall   min {min(timings):.2f} s  median {statistics.median(timings):.2f} s  max {max(timings):.2f} s")
    print(f"  (python + cli start-up alone: median {statistics.median(baseline):.2f} s)")
    print(f"  exit {result.returncode}: {result.stderr.strip()}")
    print(f"target < {TARGET_S:.0f} s: {'met' if max(timings) < TARGET_S else 'NOT met'}")


if __name__ == "__main__":
    main()
