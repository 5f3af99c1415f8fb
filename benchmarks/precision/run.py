"""Precision of `nixls-assist check` on public configuration repositories nobody here wrote.

    python benchmarks/precision/run.py --checkouts DIR [--mirrors DIR] [--min-severity warning]
                                       [--labels FILE] [--save-findings FILE]

`corpus.tsv` lists the repositories (owner/name and the commit to check). Each is expected
checked out at `DIR/<owner>+<name>` (their code is never committed here); with `--mirrors`
a missing checkout is made from a bare git mirror at `MIRRORS/<owner>+<name>/repo` (what
the `fetch` tool of the development machine provides).

Every finding at or above `--min-severity` is looked up in `labels.tsv`, one hand-written
line per finding:

    owner/name@commit path:line CODE true|false reason…

and the command prints, per code, how many findings there are, how many are labelled true
or false, the precision, and every finding that has no label yet. Exit status 1 when a
false error is reported, a repository crashes the checker, or a finding is unlabelled
(so the label file stays complete); 0 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEVERITIES = ("info", "warning", "error")
LABELLED_ON = "2026-12-04"


@dataclass(frozen=True)
class Repository:
    name: str
    commit: str

    @property
    def folder(self) -> str:
        return self.name.replace("/", "+")


@dataclass(frozen=True)
class Label:
    verdict: bool
    reason: str


def read_corpus(path: Path) -> list[Repository]:
    repositories = []
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, commit = line.split("\t")[:2]
            repositories.append(Repository(name, commit))
    return repositories


def read_labels(path: Path) -> dict[str, Label]:
    """`owner/name@commit path:line CODE` → verdict; malformed lines stop the run."""
    labels: dict[str, Label] = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split(None, 4)
        if len(parts) < 4 or parts[3] not in ("true", "false"):
            sys.exit(f"{path}:{number}: expected `repo@commit path:line CODE true|false reason`")
        key = " ".join(parts[:3])
        labels[key] = Label(parts[3] == "true", parts[4] if len(parts) > 4 else "")
    return labels


def checkout(repository: Repository, checkouts: Path, mirrors: Path | None) -> Path | None:
    target = checkouts / repository.folder
    if target.is_dir():
        return target
    mirror = mirrors / repository.folder / "repo" if mirrors else None
    if mirror is None or not mirror.is_dir():
        return None
    target.mkdir(parents=True)
    # Blobs the mirror lacks (large images) fail the checkout of those files only.
    subprocess.run(
        ["git", f"--git-dir={mirror}", f"--work-tree={target}", "checkout", "-f",
         repository.commit, "--", "."],
        check=False, capture_output=True,
    )
    return target


def run_check(folder: Path, today: str) -> tuple[list[dict], int, str, float]:
    # `--today`: the lifecycle rules (NXA601/602) judge against a date; the labels were
    # written on one, so the run is reproducible on any later day.
    command = [sys.executable, "-m", "nixls_assist", "check", "--no-cache", "--format", "json",
               "--fail-on", "never", "--today", today, "."]
    env = dict(os.environ, NIXLS_ASSIST_STORE_INDEX="off")
    started = time.perf_counter()
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, env=env,
                          check=False)
    seconds = time.perf_counter() - started
    try:
        findings = json.loads(done.stdout)["findings"]
    except (ValueError, KeyError):
        # No report at all is a crash, whatever the exit code (`--fail-on never` exits 0).
        return [], done.returncode or 1, done.stderr or "no JSON report", seconds
    return findings, done.returncode, done.stderr, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkouts", type=Path, required=True)
    parser.add_argument("--mirrors", type=Path)
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus.tsv")
    parser.add_argument("--labels", type=Path, default=HERE / "labels.tsv")
    parser.add_argument("--min-severity", choices=SEVERITIES, default="warning")
    parser.add_argument("--only", help="check only repositories whose name contains this")
    parser.add_argument("--save-findings", type=Path, help="write every finding as JSON lines")
    parser.add_argument("--today", default=LABELLED_ON,
                        help=f"the date the lifecycle rules judge against (default: {LABELLED_ON}, "
                             "when the labels were written)")
    args = parser.parse_args()

    labels = read_labels(args.labels) if args.labels.exists() else {}
    floor = SEVERITIES.index(args.min_severity)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    unlabelled: list[str] = []
    false_errors: list[str] = []
    crashes: list[str] = []
    missing: list[str] = []
    saved = []
    for repository in read_corpus(args.corpus):
        if args.only and args.only not in repository.name:
            continue
        folder = checkout(repository, args.checkouts, args.mirrors)
        if folder is None:
            missing.append(repository.name)
            continue
        findings, status, stderr, seconds = run_check(folder, args.today)
        if status != 0:
            crashes.append(f"{repository.name}: exit {status}: {stderr.strip()[-300:]}")
        print(f"{repository.name:32} {len(findings):4} findings {seconds:6.2f} s", file=sys.stderr)
        for finding in findings:
            if SEVERITIES.index(finding["severity"]) < floor:
                continue
            line = finding["range"]["start"]["line"] + 1
            key = (f"{repository.name}@{repository.commit} "
                   f"{finding['file']}:{line} {finding['code']}")
            saved.append({"key": key, "severity": finding["severity"],
                          "message": finding["message"]})
            code = finding["code"]
            counts[code]["findings"] += 1
            counts[code][finding["severity"]] += 1
            label = labels.get(key)
            if label is None:
                counts[code]["unlabelled"] += 1
                unlabelled.append(f"{key}  [{finding['severity']}] {finding['message'][:140]}")
            elif label.verdict:
                counts[code]["true"] += 1
            else:
                counts[code]["false"] += 1
                if finding["severity"] == "error":
                    false_errors.append(f"{key}  {label.reason}")

    if args.save_findings:
        args.save_findings.write_text("".join(json.dumps(s) + "\n" for s in saved))
    print_table(counts)
    for title, lines in (("unlabelled findings", unlabelled), ("false errors", false_errors),
                         ("crashes", crashes), ("repositories not checked out", missing)):
        if lines:
            print(f"\n{title} ({len(lines)}):")
            for line in lines:
                print(f"  {line}")
    return 1 if (false_errors or crashes or unlabelled) else 0


def print_table(counts: dict[str, Counter[str]]) -> None:
    print(f"{'code':8} {'findings':>8} {'error':>6} {'warning':>8} {'info':>5} {'true':>5} "
          f"{'false':>6} {'unlabelled':>10} {'precision':>9}")
    families: dict[str, Counter[str]] = defaultdict(Counter)
    for code in sorted(counts):
        row = counts[code]
        families[code[:4] + "xx"].update(row)
        print_row(code, row)
    print()
    for family in sorted(families):
        print_row(family, families[family])


def print_row(name: str, row: Counter[str]) -> None:
    judged = row["true"] + row["false"]
    precision = f"{100 * row['true'] / judged:.1f}%" if judged else "-"
    print(f"{name:8} {row['findings']:8} {row['error']:6} {row['warning']:8} {row['info']:5} "
          f"{row['true']:5} {row['false']:6} {row['unlabelled']:10} {precision:>9}")


if __name__ == "__main__":
    raise SystemExit(main())
