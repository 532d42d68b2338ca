"""How long `validate` takes on the shipped templates_src/ (target: well under a second).

    .venv/bin/python benchmarks/bench_validate.py [PATH] [--runs N]

Prints the cold first run (includes compiling every template) and the median of warm runs, in-process,
plus the whole command as a user runs it (a fresh interpreter, imports included).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from omnidesk_macros.placeholders import compile_template  # noqa: E402
from omnidesk_macros.validate import validate_sources  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(ROOT / "templates_src"))
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    root = Path(args.path)

    started = time.perf_counter()
    sources, diags = validate_sources(root)
    cold = time.perf_counter() - started
    warm = []
    for _ in range(args.runs):
        compile_template.cache_clear()
        started = time.perf_counter()
        validate_sources(root)
        warm.append(time.perf_counter() - started)

    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "cli.py"), "validate", str(root)], check=False,
                   capture_output=True)
    command = time.perf_counter() - started

    print(f"templates: {len(sources.templates)}, errors: {len(diags.errors)}, warnings: {len(diags.warnings)}")
    print(f"in-process cold run:      {cold * 1000:7.1f} ms")
    print(f"in-process warm, median:  {statistics.median(warm) * 1000:7.1f} ms  ({args.runs} runs)")
    print(f"whole command (new proc): {command * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
