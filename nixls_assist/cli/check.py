"""`nixls-assist check`: run the rules over files and report, with a CI-friendly exit code."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TextIO

from nixls_assist.cli.files import discover
from nixls_assist.cli.output.jsonout import render_json
from nixls_assist.cli.output.text import render_text
from nixls_assist.cli.results import CheckReport, FileResult
from nixls_assist.context.release import normalise_release
from nixls_assist.context.resolver import ContextResolver, ContextSettings
from nixls_assist.errors import ConfigError
from nixls_assist.findings import Severity
from nixls_assist.loading import DEFAULT_MAX_BYTES, load_document
from nixls_assist.rules import RULES_BY_CODE
from nixls_assist.rules.base import Indexes
from nixls_assist.rules.engine import Selection
from nixls_assist.rules.engine import check as run_rules

FAIL_ON = ("error", "warning", "info", "never")
FORMATS = ("text", "json")


def add_check_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check", help="check Nix files and report findings",
        description="Check Nix files against the release they are pinned to.",
    )
    parser.add_argument("paths", nargs="*", default=["."],
                        help="files or directories (default: .); - reads stdin")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--release", help="override the detected release, e.g. 24.11, unstable")
    parser.add_argument("--select", default="", help="comma-separated codes or prefixes to run")
    parser.add_argument("--ignore", default="", help="comma-separated codes or prefixes to skip")
    parser.add_argument("--fail-on", choices=FAIL_ON, default="warning",
                        help="lowest severity that makes the exit code 1 (default: warning)")
    parser.add_argument("--offline", action="store_true", help="never download an option index")
    parser.add_argument("--stdin-filename", default="stdin.nix",
                        help="the path to report for `-` (decides flake.lock lookup)")
    parser.add_argument("--max-file-size", type=int, default=DEFAULT_MAX_BYTES,
                        help="skip files larger than this many bytes (default: 10 MB)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="list every file with its kind and release")


def run_check(args: argparse.Namespace, out: TextIO, indexes: Indexes | None = None) -> int:
    if indexes is None:
        from nixls_assist.indexes import IndexProvider

        indexes = IndexProvider()
    selection = Selection(select=_codes(args.select, "--select"),
                          ignore=_codes(args.ignore, "--ignore"))
    release = None
    if args.release is not None:
        release = normalise_release(args.release)
        if release is None:
            raise ConfigError(
                f"--release {args.release!r}: expected a release like 24.11 or `unstable`"
            )
    resolver = ContextResolver(ContextSettings(release=release))
    started = time.perf_counter()
    results = [
        _check_one(data, path, display, resolver, indexes, selection, args.max_file_size)
        for data, path, display in _inputs(args.paths, args.stdin_filename)
    ]
    report = CheckReport(results, time.perf_counter() - started)
    if args.format == "json":
        render_json(report, out)
    else:
        render_text(report, out, verbose=args.verbose)
    return _exit_code(report, args.fail_on)


def _check_one(
    data: bytes,
    path: Path | None,
    display: str,
    resolver: ContextResolver,
    indexes: Indexes | None,
    selection: Selection,
    max_bytes: int,
) -> FileResult:
    doc = load_document(data, display, max_bytes)
    ctx = resolver.context_for(doc, path)
    findings = run_rules(doc, ctx, indexes, selection)
    return FileResult(display, path, doc, ctx, findings)


def _inputs(paths: list[str], stdin_name: str):  # type: ignore[no-untyped-def]
    if paths == ["-"]:
        yield sys.stdin.buffer.read(), Path(stdin_name).resolve(), stdin_name
        return
    cwd = Path.cwd()
    for path in discover(paths):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read ({exc.strerror})") from exc
        yield data, path, _display(path, cwd)


def _display(path: Path, cwd: Path) -> str:
    absolute = path.resolve()
    try:
        return absolute.relative_to(cwd.resolve()).as_posix()
    except ValueError:
        return absolute.as_posix()


def _codes(text: str, flag: str) -> tuple[str, ...]:
    codes = tuple(c.strip().upper() for c in text.split(",") if c.strip())
    for code in codes:
        if not any(known.startswith(code) for known in RULES_BY_CODE):
            raise ConfigError(f"{flag} {code}: no finding code starts with it "
                              f"(known: {', '.join(sorted(RULES_BY_CODE))})")
    return codes


def _exit_code(report: CheckReport, fail_on: str) -> int:
    if fail_on == "never":
        return 0
    threshold = Severity.parse(fail_on)
    failing = any(f.severity >= threshold for _, f in report.all_findings())
    return 1 if failing else 0
