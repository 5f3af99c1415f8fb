"""`check` cold and warm beside Nix's own parser, per repository, as a CI job runs them.

    python benchmarks/corpus_vs_nix.py [--checkouts /work/corpus] [--runs 3] [REPO ...]

For each checked-out repository (a directory under --checkouts), lists the `*.nix` files that
`check` would look at, then times, each in its own process like a CI step:

- `nix-instantiate --parse` over those files (one process per repository);
- `nixls-assist check` with an empty result cache (cold: fills it);
- the same again (warm: every file answered from the cache).

Each is run --runs times (a fresh cache for every cold run) and the minimum CPU time
(user + system of the child processes) is kept: the machine is shared, so wall time is noisy;
the median wall time is printed beside it. Byte-code caching is switched on for the checker
(as an installed package has it) and one check runs first, so the `.pyc` files exist and the
embedded option index is unpacked (once per installation); each run's cache directory starts
with that unpacked index only. Prints a line per repository and the totals, with cold / nix and
warm / nix (targets: cold ≤ 5x, warm ≤ 2x).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from nixls_assist.cli.files import discover  # noqa: E402


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """(CPU seconds of the child, wall seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def best(samples: list[tuple[float, float]]) -> tuple[float, float]:
    """(minimum CPU, median wall)."""
    return min(cpu for cpu, _ in samples), statistics.median(wall for _, wall in samples)


def measure(root: Path, runs: int, primed: Path) -> tuple[int, tuple[float, float], ...] | None:
    files = [str(p.relative_to(root)) for p in discover([str(root)]) if p.suffix == ".nix"]
    if not files:
        return None
    nix = best([timed(["nix-instantiate", "--parse", *files], root) for _ in range(runs)])
    check = [sys.executable, "-m", "nixls_assist", "check", "--fail-on", "never",
             "--format", "json", "."]
    cold, warm = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as cache:
            shutil.copytree(primed / "embedded", Path(cache) / "embedded")
            env = {**checker_env(), "NIXLS_ASSIST_CACHE_DIR": cache}
            cold.append(timed(check, root, env))
            warm.append(timed(check, root, env))
    return len(files), nix, best(cold), best(warm)


def checker_env() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checkouts", type=Path, default=Path("/work/corpus"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("repos", nargs="*", help="names under --checkouts (default: all)")
    args = parser.parse_args()
    if shutil.which("nix-instantiate") is None:
        sys.exit("nix-instantiate is not installed")
    names = args.repos or sorted(p.name for p in args.checkouts.iterdir() if p.is_dir())
    primed = Path(tempfile.mkdtemp())  # byte code compiled, the embedded index unpacked
    subprocess.run([sys.executable, "-m", "nixls_assist", "check", str(REPO / "examples")],
                   env={**checker_env(), "NIXLS_ASSIST_CACHE_DIR": str(primed)},
                   capture_output=True, check=False)
    totals = [0, 0.0, 0.0, 0.0]
    print(f"{'repository':<34} {'files':>5}  {'nix cpu':>8} {'cold cpu':>8} {'warm cpu':>8}"
          f"  {'cold/nix':>8} {'warm/nix':>8}  (median wall: nix / cold / warm)")
    for name in names:
        measured = measure(args.checkouts / name, args.runs, primed)
        if measured is None:
            continue
        count, nix, cold, warm = measured
        totals[0] += count
        totals[1] += nix[0]
        totals[2] += cold[0]
        totals[3] += warm[0]
        print(f"{name:<34} {count:>5}  {nix[0]:8.2f} {cold[0]:8.2f} {warm[0]:8.2f}"
              f"  {cold[0] / nix[0]:7.1f}x {warm[0] / nix[0]:7.1f}x"
              f"  ({nix[1]:.2f} / {cold[1]:.2f} / {warm[1]:.2f} s)", flush=True)
    count, nix, cold, warm = totals
    print(f"{'total':<34} {count:>5}  {nix:8.2f} {cold:8.2f} {warm:8.2f}"
          f"  {cold / nix:7.1f}x {warm / nix:7.1f}x   (targets: cold ≤ 5x, warm ≤ 2x)")


if __name__ == "__main__":
    main()
