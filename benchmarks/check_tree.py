"""Full `check` over a generated tree of module files vs parse-only time.

    python benchmarks/check_tree.py [--files 2000]

Builds a flake workspace (flake.lock pinned to nixos-24.11 / release-24.11) holding N module
files copied from tests/corpus/valid and examples/fleet with small variations, then times:
parse only, and the full in-process pipeline (parse, context, every rule with the embedded
index). Prints files/s for both and the ratio (goal: full ≤ 2× parse-only), and, for scale,
the time Nix's own parser takes over the same files.

Then `nixls-assist check` end to end (a subprocess each: interpreter start-up, imports, file
discovery, output included) over the same tree, each with its ratio to the in-process
parse-only time: without the result cache in one process (`--jobs 1`) and with the default
worker processes, then twice with a fresh result cache (cold: filling it; warm: every file
re-used). `--no-cli` skips these.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from nixls_assist.analysis.indexes import IndexProvider  # noqa: E402
from nixls_assist.context.resolver import ContextResolver  # noqa: E402
from nixls_assist.rules.engine import check  # noqa: E402
from nixls_assist.syntax import parse  # noqa: E402
from nixls_assist.syntax.loading import load_document  # noqa: E402


def build_tree(root: Path, count: int) -> list[Path]:
    sources = sorted((REPO / "tests/corpus/valid").glob("*.nix"))
    sources += sorted((REPO / "examples/fleet").rglob("*.nix"))
    shutil.copy(REPO / "examples/fleet/flake.lock", root / "flake.lock")
    files = []
    for i in range(count):
        source = sources[i % len(sources)]
        target = root / f"hosts/h{i // 50:03d}/{i:05d}-{source.name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes() + f"\n# variant {i}\n".encode())
        files.append(target)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--no-cli", action="store_true", help="only the in-process numbers")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = build_tree(root, args.files)
        contents = [(path, path.read_bytes()) for path in files]
        size = sum(len(data) for _, data in contents)

        started = time.perf_counter()
        for path, data in contents:
            parse(data, str(path))
        parse_seconds = time.perf_counter() - started

        resolver, indexes = ContextResolver(), IndexProvider()
        findings = 0
        started = time.perf_counter()
        for path, data in contents:
            doc = load_document(data, str(path))
            findings += len(check(doc, resolver.context_for(doc, path), indexes))
        check_seconds = time.perf_counter() - started

        print(f"files: {len(files)}  bytes: {size / 1e6:.2f} MB  findings: {findings}")
        print(f"parse only : {parse_seconds:6.2f} s  {len(files) / parse_seconds:8.0f} files/s")
        print(f"full check : {check_seconds:6.2f} s  {len(files) / check_seconds:8.0f} files/s"
              f"  {check_seconds / parse_seconds:6.2f}x parse-only (in process; goal ≤ 2x)")
        nix_seconds = nix_parse_seconds(files)
        if nix_seconds is not None:
            print(f"for scale, Nix's own parser (`nix-instantiate --parse`, 500 files per process"
                  f"): {nix_seconds:6.2f} s; full check / that = "
                  f"{check_seconds / nix_seconds:.2f}x")
        if not args.no_cli:
            cli_runs(root, len(files), parse_seconds)


def nix_parse_seconds(files: list[Path]) -> float | None:
    """Nix's reference parser over the same files (a few processes of many files each), or
    None without nix-instantiate. A scale reference only: the goal is against tree-sitter."""
    if shutil.which("nix-instantiate") is None:
        return None
    started = time.perf_counter()
    for start in range(0, len(files), 500):
        subprocess.run(["nix-instantiate", "--parse", *map(str, files[start:start + 500])],
                       capture_output=True, check=False)
    return time.perf_counter() - started


def cli_runs(root: Path, count: int, parse_seconds: float) -> None:
    """`nixls-assist check` as a user runs it, in a subprocess (with its start-up)."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "PYTHONPATH": str(REPO), "NIXLS_ASSIST_CACHE_DIR": cache}
        runs = [
            ("CLI cold, --no-cache --jobs 1", ["--no-cache", "--jobs", "1"]),
            ("CLI cold, --no-cache (default jobs)", ["--no-cache"]),
            ("CLI cache cold (fills it)", []),
            ("CLI cache warm (all re-used)", []),
        ]
        outputs = set()
        for label, flags in runs:
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "nixls_assist", "check", "--format", "json",
                 "--fail-on", "never", *flags, "."],
                cwd=root, env=env, capture_output=True, text=True, check=True)
            seconds = time.perf_counter() - started
            outputs.add(done.stdout.split('"summary"')[0])
            print(f"{label:<37}: {seconds:6.2f} s  {count / seconds:8.0f} files/s"
                  f"  {seconds / parse_seconds:6.2f}x parse-only (end to end)")
        print(f"CLI outputs identical across runs: {len(outputs) == 1}")


if __name__ == "__main__":
    main()
