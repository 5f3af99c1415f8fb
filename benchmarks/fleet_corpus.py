"""The fleet graph on the dev corpus: configurations found against those counted by hand.

    python benchmarks/fleet_corpus.py [--checkouts /work/corpus] [REPO ...]

`benchmarks/fleet/corpus-configurations.tsv` lists, per dev-corpus repository, the
`nixosConfigurations` / `darwinConfigurations` / `homeConfigurations` its flake declares,
counted by reading `flake.nix` and the files it hands its outputs to (attribute names, how
they are declared). For each repository checked out at `CHECKOUTS/<owner>+<name>`, this runs
`nixls-assist hosts --format json` in its own process (this checkout's package) and prints:

    repo | declared | found | found∩declared | missing | extra | complete

matched by attribute (`nixosConfigurations.kestrel`); `complete` is how many of the found
configurations the graph says it followed completely, and `flake` whether outputs were left
unfollowed (`-`). Then the names behind every disagreement and what the graph could not
follow, and totals. A missing repository is skipped. Always exits 0: it measures, it does not
gate.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TABLE = REPO / "benchmarks" / "fleet" / "corpus-configurations.tsv"
SHOWN = 3  # names shown in a table cell; all of them are listed below the table


@dataclass
class Row:
    repo: str
    declared: list[str]
    found: list[str] = field(default_factory=list)
    complete: int = 0  # found configurations the graph followed completely
    flake_complete: bool = True  # no outputs left unfollowed
    unresolved: list[dict[str, object]] = field(default_factory=list)
    error: str = ""

    @property
    def missing(self) -> list[str]:
        return [name for name in self.declared if name not in self.found]

    @property
    def extra(self) -> list[str]:
        return [name for name in self.found if name not in self.declared]


def declared() -> list[Row]:
    with TABLE.open(newline="") as handle:
        return [Row(r["repo"], [n for n in r["declared_names"].split(",") if n])
                for r in csv.DictReader(handle, delimiter="\t")]


def run_hosts(row: Row, root: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "nixls_assist", "hosts", str(root),
                           "--format", "json"], env=env, capture_output=True, text=True,
                          check=False)
    try:
        result = json.loads(done.stdout)
    except json.JSONDecodeError:
        row.error = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return
    configurations = result["configurations"]
    row.found = [c["attribute"] for c in configurations]
    row.complete = sum(1 for c in configurations if c["complete"])
    row.unresolved = result.get("unresolved", [])
    row.flake_complete = not row.unresolved


def cell(names: list[str]) -> str:
    if not names:
        return "-"
    shown = ", ".join(name.split(".", 1)[1] for name in names[:SHOWN])
    more = f", +{len(names) - SHOWN}" if len(names) > SHOWN else ""
    return f"{len(names)}: {shown}{more}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkouts", type=Path, default=Path("/work/corpus"))
    parser.add_argument("repos", nargs="*", help="owner/name (default: every row of the table)")
    args = parser.parse_args()
    rows = [r for r in declared() if not args.repos or r.repo in args.repos]
    measured: list[Row] = []
    for row in rows:
        root = args.checkouts / row.repo.replace("/", "+")
        if not (root / "flake.nix").is_file():
            print(f"skipped {row.repo}: no checkout at {root}", file=sys.stderr)
            continue
        run_hosts(row, root)
        measured.append(row)

    header = ("repo", "declared", "found", "found∩declared", "missing", "extra", "complete")
    lines = [header]
    for row in measured:
        both = len(row.declared) - len(row.missing)
        complete = f"{row.complete}/{len(row.found)}" + ("" if row.flake_complete else " -")
        lines.append((row.repo, str(len(row.declared)), str(len(row.found)), str(both),
                      cell(row.missing), cell(row.extra), complete))
    total_declared = sum(len(r.declared) for r in measured)
    total_found = sum(len(r.found) for r in measured)
    total_both = sum(len(r.declared) - len(r.missing) for r in measured)
    total_complete = sum(r.complete for r in measured)
    lines.append(("total", str(total_declared), str(total_found), str(total_both),
                  str(sum(len(r.missing) for r in measured)),
                  str(sum(len(r.extra) for r in measured)),
                  f"{total_complete}/{total_found}"))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for index, line in enumerate(lines):
        if index == len(lines) - 1:
            print("  ".join("-" * w for w in widths))
        print("  ".join(part.ljust(w) for part, w in zip(line, widths, strict=True)).rstrip())
        if index == 0:
            print("  ".join("-" * w for w in widths))

    exact = sum(1 for r in measured if not r.missing and not r.extra)
    print(f"\n{len(measured)} repositories: {exact} found exactly the declared configurations; "
          f"{total_both} of {total_declared} declared configurations found "
          f"({100 * total_both / max(total_declared, 1):.0f}%), {total_complete} of them "
          f"followed completely; {sum(1 for r in measured if not r.flake_complete)} flakes "
          "with outputs the graph did not follow ('-')")

    for row in measured:
        if not row.missing and not row.extra and row.flake_complete and not row.error:
            continue
        print(f"\n{row.repo}")
        if row.error:
            print(f"  error: {row.error}")
        if row.missing:
            print("  missing: " + ", ".join(row.missing))
        if row.extra:
            print("  extra: " + ", ".join(row.extra))
        for item in row.unresolved:
            print(f"  not followed: {item['file']}:{item['line']}: `{item['expression']}`: "
                  f"{item['reason']}")


if __name__ == "__main__":
    main()
