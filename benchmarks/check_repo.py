"""`nixls-assist check` over a synthetic fleet repository, as CI runs it.

    python benchmarks/check_repo.py [--files 3000] [--format json] [--keep DIR]

Generates a repository (a `.git` directory, `flake.lock` from examples/fleet, a
`.nixls-assist.toml` with an exclude and an override) holding N files copied from
tests/corpus/valid, spread over hosts/ and modules/ folders, each slightly varied.
Then runs the real command line in a subprocess, once, and prints files/s, the total
wall-clock seconds and the peak RSS of the checker process.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

CONFIG = """\
exclude = ["generated/**"]

[[overrides]]
paths = ["hosts/legacy-*/**"]
release = "23.11"
"""


def build_repo(root: Path, count: int) -> int:
    sources = sorted((REPO / "tests" / "corpus" / "valid").glob("*.nix"))
    (root / ".git").mkdir()
    (root / "flake.lock").write_bytes((REPO / "examples" / "fleet" / "flake.lock").read_bytes())
    (root / ".nixls-assist.toml").write_text(CONFIG)
    (root / "generated").mkdir()
    (root / "generated" / "skipped.nix").write_text("{ not = nix\n")
    for i in range(count):
        source = sources[i % len(sources)]
        legacy = "legacy-" if i % 7 == 0 else ""
        folder = "modules" if i % 5 == 0 else f"hosts/{legacy}h{i // 40:03d}"
        target = root / folder / f"{i:05d}-{source.name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes() + f"\n# variant {i}\n".encode())
    return count


def run(root: Path, fmt: str) -> tuple[float, int, dict[str, object] | None, int]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "nixls_assist", "check", "--format", fmt, "--fail-on", "never",
         "."],
        cwd=root, env=env, capture_output=True, text=True, check=False,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"check failed ({result.returncode}): {result.stderr[-2000:]}")
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    summary = json.loads(result.stdout)["summary"] if fmt == "json" else None
    return seconds, peak_kb, summary, len(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=3000)
    parser.add_argument("--format", default="json", choices=("json", "text", "sarif", "github"))
    parser.add_argument("--keep", type=Path, help="build the repository here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nixls-check-repo-") as scratch:
        root = args.keep or Path(scratch)
        root.mkdir(parents=True, exist_ok=True)
        count = build_repo(root, args.files)
        seconds, peak_kb, summary, size = run(root, args.format)
    print(f"files:      {count}")
    print(f"total:      {seconds:.2f} s (subprocess wall clock, includes start-up)")
    print(f"throughput: {count / seconds:.0f} files/s")
    print(f"peak RSS:   {peak_kb / 1024:.0f} MiB")
    print(f"output:     {size / 1024:.0f} KiB of {args.format}")
    if summary is not None:
        print(f"summary:    {json.dumps(summary)}")


if __name__ == "__main__":
    main()
