"""``sync verify``: for CI and cron, name every object changed in Omnidesk or in git since the last push.

The lock file's fingerprint is the common ancestor: the desired side differing from it was changed in git,
the live side differing from it was changed in Omnidesk (someone edited a macro in the UI), both is both.
Objects missing on one side are named too. Read-only: unlike ``plan``, it records nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .apply import load_desired
from .client import Client
from .journal import Journal
from .live import fetch_live
from .lockfile import LockFile
from .plan import desired_view, fingerprint, live_view, match


@dataclass(frozen=True)
class Drift:
    key: str
    kind: str
    title: str
    #: git | omnidesk | both | missing_in_omnidesk | deleted_in_git | not_recorded
    changed: str


def verify(root: Path, client: Client) -> tuple[list[Drift], int]:
    """Every drifted object, and the API requests it took."""
    desired = load_desired(root)
    lock = LockFile.load(root)
    live = fetch_live(client)
    matches = match(desired, live, lock, Journal.load(root))
    keys = {(o.kind, o.id): k for k, o in matches.items()}
    drifts: list[Drift] = []
    for want in desired.objects:
        have, entry = matches.get(want.key), lock.entries.get(want.key)
        ours = fingerprint(desired_view(want))
        if have is None:
            drifts.append(Drift(want.key, want.kind, want.title, "missing_in_omnidesk"))
            continue
        theirs = fingerprint(live_view(have, keys))
        if entry is None:
            if ours != theirs:
                drifts.append(Drift(want.key, want.kind, want.title, "not_recorded"))
            continue
        side = {(True, False): "git", (False, True): "omnidesk", (True, True): "both"}.get(
            (ours != entry.hash, theirs != entry.hash))
        if side and ours != theirs:
            drifts.append(Drift(want.key, want.kind, want.title, side))
    wanted = desired.by_key()
    for key, entry in sorted(lock.entries.items()):
        gone = live.find(entry.kind, entry.id)
        if key not in wanted and gone is not None:
            drifts.append(Drift(key, entry.kind, gone.title, "deleted_in_git"))
    return drifts, live.requests


def drift_report(drifts: list[Drift], requests: int) -> dict[str, Any]:
    return {"changed": [asdict(d) for d in drifts], "requests": requests}


def format_drifts(drifts: list[Drift], requests: int) -> str:
    lines = [f"{d.changed:<20} {d.kind:<15} {d.key} «{d.title}»" for d in drifts]
    lines.append(f"{len(drifts)} object(s) differ; {requests} API request(s)" if drifts
                 else f"Omnidesk and templates_src/ agree; {requests} API request(s)")
    return "\n".join(lines)
