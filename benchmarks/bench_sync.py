"""Figures of the sync engine against the local sandbox (not a test: it prints, it does not assert).

    .venv/bin/python benchmarks/bench_sync.py [--runs 5]

1. API requests of a full first push, and of a no-change plan (goal ≤ 8);
2. wall time of a full first push at 20 requests/minute (Omnidesk's smallest plan), with no throttled request
   (the client paces itself on a real minute, so this part takes about three minutes);
3. plan time for 10× the shipped templates (270) against the sandbox.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from sync.apply import plan_sources, push
from sync.client import Client, OmnideskSettings
from sync.sandbox import SandboxConfig, SandboxServer
from sync.sandbox.administrator import post_checklist

REPO = Path(__file__).resolve().parent.parent


def client_for(server: SandboxServer) -> Client:
    config = server.app.config
    return Client(OmnideskSettings(url=server.url, email=config.email, api_key=config.api_key).validated(),
                  on_wait=lambda _: None)


def copy_templates(work: Path, times: int = 1) -> Path:
    root = Path(shutil.copytree(REPO / "templates_src", work / "templates_src"))
    for n in range(2, times + 1):
        for source in sorted((REPO / "templates_src" / "replies").glob("*.md")):
            text = source.read_text(encoding="utf-8")
            text = re.sub(r"^id: (.+)$", rf"id: \1-{n}", text, count=1, flags=re.M)
            text = re.sub(r"^title: (.+)$", rf"title: \1 ({n})", text, count=1, flags=re.M)
            (root / "replies" / f"{source.stem}-{n}.md").write_text(text, encoding="utf-8")
    return root


def first_push_and_empty_plan(work: Path) -> None:
    root = copy_templates(work / "a")
    with SandboxServer(work / "a.sqlite3", port=0).start() as server, client_for(server) as client:
        result = push(root, client, checklist_dir=work / "a-checklist")
        print(f"full first push: {result.requests} API requests ({len(result.applied)} writes), "
              f"{len(result.plan.manual_changes)} manual steps")
        post_checklist(server.url, work / "a-checklist" / "checklist.json")
        plan = plan_sources(root, client)
        print(f"no-change plan: {plan.requests} API requests, {len(plan.changes)} changes (goal ≤ 8)")


def push_at_20_per_minute(work: Path) -> None:
    root = copy_templates(work / "b")
    config = SandboxConfig(rate_limit_per_minute=20)
    with SandboxServer(work / "b.sqlite3", port=0, config=config).start() as server, client_for(server) as client:
        httpx.delete(f"{server.url}/_admin/requests")
        start = time.perf_counter()
        result = push(root, client, checklist_dir=work / "b-checklist")
        elapsed = time.perf_counter() - start
        log = httpx.get(f"{server.url}/_admin/requests").json()["requests"]
        throttled = sum(r["status"] in (429, 403) for r in log)
        print(f"first push at 20 requests/minute: {result.requests} requests in {elapsed / 60:.1f} min "
              f"({elapsed:.0f} s), {throttled} throttled")


def plan_270(work: Path, runs: int) -> None:
    root = copy_templates(work / "c", times=10)
    config = SandboxConfig(rate_limit_per_minute=100_000)
    with SandboxServer(work / "c.sqlite3", port=0, config=config).start() as server, client_for(server) as client:
        result = push(root, client, checklist_dir=work / "c-checklist")
        post_checklist(server.url, work / "c-checklist" / "checklist.json")
        timings = []
        for _ in range(runs):
            start = time.perf_counter()
            plan = plan_sources(root, client)
            timings.append(time.perf_counter() - start)
        print(f"plan for {len(list((root / 'replies').glob('*.md')))} templates ({len(result.applied)} objects "
              f"pushed, {len(plan.changes)} changes left): median {statistics.median(timings):.2f} s, "
              f"min {min(timings):.2f} s, max {max(timings):.2f} s over {runs} runs, {plan.requests} requests")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        first_push_and_empty_plan(work)
        push_at_20_per_minute(work)
        plan_270(work, args.runs)


if __name__ == "__main__":
    main()
