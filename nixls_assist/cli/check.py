"""`nixls-assist check`: run the rules over files and report, with a CI-friendly exit code."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from nixls_assist import run_cache
from nixls_assist.analysis import (
    DEFAULT_MAX_BYTES,
    FAIL_ON,
    CheckReport,
    FileResult,
    FixOutcome,
    FixRecord,
    Indexes,
    Overrides,
    Workspace,
    normalise_release,
    relative_to_root,
    release_forms,
    resolve_file,
)
from nixls_assist.analysis.batch import check_inputs, default_jobs
from nixls_assist.analysis.result_cache import ResultCache, cache_root
from nixls_assist.cli.files import discover, unreadable_reason
from nixls_assist.cli.fix import unified_diff, write_atomic
from nixls_assist.errors import ConfigError
from nixls_assist.findings import Severity

FORMATS = ("text", "json", "sarif", "github")


def add_check_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check", help="check Nix files and report findings",
        description="Check Nix files against the release they are pinned to. Exit codes: "
                    "0 nothing at or above --fail-on, 1 findings, 2 usage or configuration "
                    "error, 3 internal error.",
    )
    parser.add_argument("paths", nargs="*", default=["."],
                        help="files or directories (default: .); - reads stdin")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--release", help="override the detected release, e.g. 24.11, unstable")
    parser.add_argument("--today", default=None, metavar="YYYY-MM-DD",
                        help="judge release support and lock age as on this date "
                             "(default: the clock)")
    parser.add_argument("--select", default=None,
                        help="comma-separated codes or prefixes to run (replaces config `select`)")
    parser.add_argument("--ignore", default="",
                        help="comma-separated codes or prefixes to skip (added to config `ignore`)")
    parser.add_argument("--fail-on", choices=FAIL_ON, default=None,
                        help="lowest severity that makes the exit code 1 (default: warning)")
    parser.add_argument("--fix", action="store_true",
                        help="apply safe fixes in place, then report what is left")
    parser.add_argument("--diff", action="store_true",
                        help="print the safe fixes as a unified diff; change nothing, also "
                             "with --fix (exit 1 when there is something to fix)")
    parser.add_argument("--only-imported", action="store_true",
                        help="leave out module files that no configuration of the flake "
                             "imports (when the fleet graph followed every configuration)")
    parser.add_argument("--statistics", action="store_true",
                        help="count findings per code instead of listing them (text), "
                             "or add a `statistics` list (json)")
    parser.add_argument("--config", type=Path, default=None,
                        help="use this .nixls-assist.toml for every file (no discovery)")
    parser.add_argument("--force-exclude", action="store_true",
                        help="apply config `exclude` to files named on the command line too")
    parser.add_argument("--stdin-filename", default="stdin.nix",
                        help="the path to report for `-` (decides flake.lock lookup)")
    parser.add_argument("--max-file-size", type=int, default=DEFAULT_MAX_BYTES,
                        help="skip files larger than this many bytes (default: 10 MB)")
    parser.add_argument("--no-cache", action="store_true",
                        help="check every file again instead of re-using the results of "
                             "unchanged files (config: `cache = false`)")
    parser.add_argument("--download", action="store_true",
                        help="first download the pinned nixpkgs / home-manager sources that "
                             "are neither in the Nix store nor cached, verified against "
                             "flake.lock (config: `download = true`; default off)")
    parser.add_argument("--source-url", default=None, metavar="TEMPLATE",
                        help="with --download: where source archives come from (see "
                             "`index fetch --help`)")
    parser.add_argument("-j", "--jobs", type=int, default=None,
                        help="worker processes for large file sets (default: number of CPUs; "
                             "1 checks in this process)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="list every file with its kind and release")
    parser.set_defaults(handler=run_check)


def run_check(args: argparse.Namespace, out: TextIO, indexes: Indexes | None = None) -> int:
    if args.fix and args.diff:
        args.fix = False  # like ruff: `--fix --diff` shows what `--fix` would write, writes nothing
    if args.fix and args.paths == ["-"]:
        raise ConfigError("--fix cannot rewrite stdin; use --diff to see the fixes")
    if args.jobs is not None and args.jobs < 1:
        raise ConfigError(f"--jobs {args.jobs}: expected 1 or more (1 checks in this process)")
    # The result cache is keyed by the default option indexes: injected ones are never cached.
    cacheable = indexes is None and not (args.fix or args.diff) and args.paths != ["-"]
    workspace = Workspace(_overrides(args), config=args.config, indexes=indexes,
                          max_bytes=args.max_file_size)
    first = Path(args.paths[0]) if args.paths and args.paths != ["-"] else None
    first_config = workspace.project_config(first)
    fail_on = args.fail_on or first_config.fail_on or "warning"
    cache = None
    damaged = []  # a damaged result cache is reported once: that run is not replayed
    if cacheable and not args.no_cache and first_config.cache:
        cache = ResultCache(cache_root(), Path.cwd().resolve(),
                            lambda text: damaged.append(text) or
                            print(f"nixls-assist: {text}", file=sys.stderr))
        workspace.extract_cache = cache.extract_cache
    started = time.perf_counter()
    outcomes: list[tuple[FileResult, FixOutcome | None]] = []
    inputs: list[tuple[bytes, Path | None, str]] = []
    for item in _inputs(args, workspace):
        if isinstance(item, Unreadable):
            outcomes.append((workspace.unreadable(item.path, item.display, item.reason), None))
        else:
            inputs.append(item)
    # A run that may download is never replayed: what the network holds is not a file.
    downloading = args.download or first_config.download
    if downloading:
        _download(workspace, [path for _, path, _ in inputs if path is not None],
                  args.source_url or first_config.source_url)
    if args.fix or args.diff:
        for data, path, display in inputs:
            result = workspace.check(data, path, display)
            outcome = workspace.fix(result)
            if outcome is not None and outcome.changed:
                if args.fix and path is not None:
                    write_atomic(path, outcome.doc.source)
                result = FileResult(display, path, outcome.doc, result.context, outcome.findings)
            outcomes.append((result, outcome))
    else:
        jobs = args.jobs if args.jobs is not None else default_jobs()
        try:
            results = check_inputs(workspace, inputs, cache, jobs)
        finally:
            if cache is not None:
                cache.close()
        outcomes += [(result, None) for result in results]
    if not outcomes and args.paths != ["-"]:
        print(f"nixls-assist: no .nix files found in {' '.join(args.paths)}", file=sys.stderr)
    fixed = [FixRecord(result.display_path, outcome.applied, tuple(outcome.refused))
             for result, outcome in outcomes
             if outcome is not None and (outcome.applied or outcome.refused)]
    if args.only_imported:
        outcomes = [(r, o) for r, o in outcomes if not _unused(r)]
    report = CheckReport([r for r, _ in outcomes], time.perf_counter() - started, fixed)
    if args.diff:
        return _render_diff(outcomes, out)
    _render(report, args, out)
    recording = run_cache.current()
    if recording is not None and cache is not None and not damaged and not downloading:
        recording.allow(_elapsed(report, args))
    return _exit_code(report, fail_on)


def _download(workspace: Workspace, paths: list[Path], source_url: str | None) -> None:
    """Fetch the missing pinned sources before checking; a failure is reported and the
    check goes on with the release's data."""
    from nixls_assist.analysis.source_fetch import FetchOptions, fetch_missing, workspace_locks

    def report(text: str) -> None:
        print(f"nixls-assist: {text}", file=sys.stderr)

    try:
        options = FetchOptions(source_url=source_url, report=report)
        outcomes = fetch_missing(workspace_locks(workspace, paths), options)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    for outcome in outcomes:
        if outcome.error is not None:
            report(f"cannot fetch {outcome.line}; checking with the release's data instead")
        else:
            report(f"fetched {outcome.line}")


def _elapsed(report: CheckReport, args: argparse.Namespace) -> tuple[str, str, str] | None:
    """How the summary printed the run's time (the run cache replays its own instead)."""
    if args.format == "json":
        return '"seconds": ', repr(round(report.seconds, 3)), "json"
    if args.format == "text" and not args.statistics:
        return "checked in ", f"{report.seconds:.2f}s", "text"
    return None


def _unused(result: FileResult) -> bool:
    """A module file no configuration imports (`--only-imported` leaves it out)."""
    membership = result.context.membership
    return membership is not None and membership.unused and result.context.kind.is_module


def _overrides(args: argparse.Namespace) -> Overrides:
    select = None if args.select is None else _codes(args.select, "--select")
    ignore = _codes(args.ignore, "--ignore")
    release = None
    if args.release is not None:
        release = normalise_release(args.release)
        if release is None:
            raise ConfigError(f"--release {args.release!r}: no such NixOS release; expected "
                              f"{release_forms()}")
    try:
        today = dt.date.fromisoformat(args.today) if args.today else dt.date.today()
    except ValueError:
        raise ConfigError(f"--today {args.today!r}: expected a date YYYY-MM-DD") from None
    return Overrides(select=select, ignore=ignore, release=release, today=today)


@dataclass(frozen=True)
class Unreadable:
    """A discovered file whose bytes cannot be read; `path` is not resolved past a symlink."""

    path: Path
    display: str
    reason: str


def _inputs(args: argparse.Namespace,
            workspace: Workspace) -> Iterator[tuple[bytes, Path | None, str] | Unreadable]:
    if args.paths == ["-"]:
        yield sys.stdin.buffer.read(), Path(args.stdin_filename).resolve(), args.stdin_filename
        return
    if "-" in args.paths:
        raise ConfigError("`-` (stdin) cannot be combined with other paths")
    cwd = Path.cwd().resolve()
    for path in discover(args.paths, workspace.excluded, args.force_exclude):
        try:
            data = path.read_bytes()
        except OSError as exc:
            link = path.parent.resolve() / path.name
            yield Unreadable(link, relative_to_root(link, cwd), unreadable_reason(path, exc))
            continue
        yield data, path, _display(path, cwd)


def _display(path: Path, cwd: Path) -> str:
    """`path` relative to the (resolved) working directory `cwd` when inside it."""
    return relative_to_root(resolve_file(path), cwd)


def _codes(text: str, flag: str) -> tuple[str, ...]:
    codes = tuple(c.strip().upper() for c in text.split(",") if c.strip())
    if not codes:
        return codes
    from nixls_assist.analysis import RULES_BY_CODE  # the rules, only when codes are named

    for code in codes:
        if not any(known.startswith(code) for known in RULES_BY_CODE):
            raise ConfigError(f"{flag} {code}: no finding code starts with it "
                              f"(known: {', '.join(sorted(RULES_BY_CODE))})")
    return codes


def _render(report: CheckReport, args: argparse.Namespace, out: TextIO) -> None:
    # Each format's module on its own: SARIF, GitHub annotations and statistics describe the
    # rules (and import them); text and JSON do not.
    if args.statistics:
        from nixls_assist.cli.output.statistics import render_statistics, statistics
    fix_note = sys.stderr if args.format != "text" else out
    for record in sorted(report.fixed, key=lambda r: r.display_path):
        if record.applied:
            codes = ", ".join(f"{code} ×{n}" for code, n in sorted(record.applied.items()))
            fix_note.write(f"fixed {record.count} finding(s) in {record.display_path} ({codes})\n")
        for refusal in record.refused:
            fix_note.write(f"{record.display_path}: {refusal}\n")
    if args.format == "json":
        from nixls_assist.cli.output.jsonout import render_json

        extra = {"statistics": statistics(report)} if args.statistics else {}
        if args.fix:
            extra["fixed"] = [{"file": r.display_path, "count": r.count,
                               "codes": dict(sorted(r.applied.items()))}
                              for r in sorted(report.fixed, key=lambda r: r.display_path)]
        render_json(report, out, extra)
    elif args.format == "sarif":
        from nixls_assist.cli.output.sarif import render_sarif

        render_sarif(report, out)
    elif args.format == "github":
        from nixls_assist.cli.output.github import render_github

        render_github(report, out)
    elif args.statistics:
        render_statistics(report, out)
    else:
        from nixls_assist.cli.output.text import render_text

        render_text(report, out, verbose=args.verbose)
    if args.statistics and args.format in ("sarif", "github"):
        render_statistics(report, sys.stderr)


def _render_diff(outcomes: list[tuple[FileResult, FixOutcome | None]], out: TextIO) -> int:
    changed = 0
    fixes = 0
    for result, outcome in sorted(outcomes, key=lambda pair: pair[0].display_path):
        if outcome is None:
            continue
        for refusal in outcome.refused:
            print(f"{result.display_path}: {refusal}", file=sys.stderr)
        if outcome.changed:
            changed += 1
            fixes += sum(outcome.applied.values())
            out.write(unified_diff(result.display_path, outcome))
    print(f"nixls-assist: {fixes} fix(es) would change {changed} file(s)", file=sys.stderr)
    return 1 if changed else 0


def _exit_code(report: CheckReport, fail_on: str) -> int:
    if fail_on == "never":
        return 0
    threshold = Severity.parse(fail_on)
    failing = any(f.severity >= threshold for _, f in report.all_findings())
    return 1 if failing else 0
