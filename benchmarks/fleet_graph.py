"""The fleet graph's build time on a real repository (goal: under 100 ms warm).

    python benchmarks/fleet_graph.py /work/corpus/carpenike+nix-config [--runs 5]

Builds the graph `--runs` times in one process (the first run reads and parses every
file; later runs are "warm": the operating system's file cache is full, the Python modules
are loaded) and prints each run's milliseconds (wall and CPU: on a shared machine the CPU
time is the one to compare), the configurations and module files found.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nixls_assist.context.fleet import build_fleet


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("flake", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for run in range(args.runs):
        start, cpu = time.perf_counter(), time.process_time()
        fleet = build_fleet(args.flake)
        elapsed = (time.perf_counter() - start) * 1000
        cpu = (time.process_time() - cpu) * 1000
        files = {p for c in fleet.configurations for p in c.modules}
        print(f"run {run + 1}: {elapsed:.0f} ms ({cpu:.0f} ms of CPU), "
              f"{len(fleet.configurations)} configurations, "
              f"{len(files)} module files, complete={fleet.complete}")


if __name__ == "__main__":
    main()
