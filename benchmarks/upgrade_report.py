"""The upgrade report's time and size on a real repository.

    python benchmarks/upgrade_report.py /work/corpus/JayRovacsek+nix-config --to 25.11

Runs `upgrade_workspace` (every `*.nix` file checked at its pin and at the target, the fleet
graph, the batch of fixes, nothing written) `--runs` times in one process and prints each
run's seconds and the report's counts.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nixls_assist.analysis import upgrade_workspace


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("root", type=Path)
    parser.add_argument("--to", required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for run in range(args.runs):
        start = time.perf_counter()
        report = upgrade_workspace(args.root, args.to)
        elapsed = time.perf_counter() - start
        fixed = sum(sum(outcome.applied.values()) for _, outcome in report.fixed)
        print(f"run {run + 1}: {elapsed:.2f} s, {report.files} files, from "
              f"{report.release_from} to {report.release_to}, {len(report.changes)} changes "
              f"{dict(report.counts())}, {len(report.inputs)} inputs, {fixed} fixes in the "
              f"batch, {len(report.configurations)} configurations")


if __name__ == "__main__":
    main()
