"""`nixls-assist check`: run the rules over files and report, with a CI-friendly exit code."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

from nixls_assist.cli.batch import check_inputs, default_jobs
from nixls_assist.cli.cache import ResultCache, cache_root
from nixls_assist.cli.files import discover, unreadable_reason
from nixls_assist.cli.fix import FixOutcome, fix_document, unified_diff, write_atomic
from nixls_assist.cli.output.github import render_github
from nixls_assist.cli.output.jsonout import render_json
from nixls_assist.cli.output.sarif import render_sarif
from nixls_assist.cli.output.statistics import render_statistics, statistics
from nixls_assist.cli.output.text import render_text
from nixls_assist.cli.results import CheckReport, FileResult, FixRecord
from nixls_assist.config import FAIL_ON, ConfigFinder, ProjectConfig
from nixls_assist.context.filekind import Classification, FileKind
from nixls_assist.context.git import Baseline, with_committed_baseline
from nixls_assist.context.release import normalise_release, release_forms
from nixls_assist.context.resolver import ContextResolver, ContextSettings
from nixls_assist.errors import ConfigError
from nixls_assist.findings import Finding, Severity
from nixls_assist.loading import DEFAULT_MAX_BYTES, load_document
from nixls_assist.rules import RULES_BY_CODE
from nixls_assist.rules.base import Indexes
from nixls_assist.rules.engine import Selection
from nixls_assist.rules.engine import check as run_rules
from nixls_assist.rules.imperative import SHELL_SUFFIXES, shell_selection
from nixls_assist.syntax.document import ParsedDocument, skipped
from option_index.extract_cache import ExtractCache
from option_index.nix_files import resolve_file

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
    parser.add_argument("--statistics", action="store_true",
                        help="count findings per code instead of listing them (text), "
                             "or add a `statistics` list (json)")
    parser.add_argument("--config", type=Path, default=None,
                        help="use this .nixls-assist.toml for every file (no discovery)")
    parser.add_argument("--force-exclude", action="store_true",
                        help="apply config `exclude` to files named on the command line too")
    parser.add_argument("--offline", action="store_true", help="never download an option index")
    parser.add_argument("--stdin-filename", default="stdin.nix",
                        help="the path to report for `-` (decides flake.lock lookup)")
    parser.add_argument("--max-file-size", type=int, default=DEFAULT_MAX_BYTES,
                        help="skip files larger than this many bytes (default: 10 MB)")
    parser.add_argument("--no-cache", action="store_true",
                        help="check every file again instead of re-using the results of "
                             "unchanged files (config: `cache = false`)")
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
    if indexes is None:
        indexes = _default_indexes()
    checker = Checker(args, indexes)
    cache = None
    if cacheable and not args.no_cache and checker.cache_enabled:
        cache = ResultCache(cache_root(), Path.cwd().resolve(),
                            lambda text: print(f"nixls-assist: {text}", file=sys.stderr))
        checker.extract_cache = cache.extract_cache
    started = time.perf_counter()
    outcomes: list[tuple[FileResult, FixOutcome | None]] = []
    inputs: list[tuple[bytes, Path | None, str]] = []
    for item in _inputs(args, checker):
        if isinstance(item, Unreadable):
            outcomes.append((checker.unreadable(item), None))
        else:
            inputs.append(item)
    if args.fix or args.diff:
        for data, path, display in inputs:
            result = checker.check(data, path, display)
            outcome = checker.fix(result)
            if outcome is not None and outcome.changed:
                if args.fix and path is not None:
                    write_atomic(path, outcome.doc.source)
                result = FileResult(display, path, outcome.doc, result.context, outcome.findings)
            outcomes.append((result, outcome))
    else:
        jobs = args.jobs if args.jobs is not None else default_jobs()
        try:
            results = check_inputs(checker, inputs, cache, jobs)
        finally:
            if cache is not None:
                cache.close()
        outcomes += [(result, None) for result in results]
    if not outcomes and args.paths != ["-"]:
        print(f"nixls-assist: no .nix files found in {' '.join(args.paths)}", file=sys.stderr)
    fixed = [FixRecord(result.display_path, outcome.applied, tuple(outcome.refused))
             for result, outcome in outcomes
             if outcome is not None and (outcome.applied or outcome.refused)]
    report = CheckReport([r for r, _ in outcomes], time.perf_counter() - started, fixed)
    if args.diff:
        return _render_diff(outcomes, out)
    _render(report, args, out)
    return _exit_code(report, checker.fail_on)


def _default_indexes() -> Indexes:
    from nixls_assist.indexes import IndexProvider  # lazily: `check --help` stays fast

    return IndexProvider()


_UNSET = object()


@dataclass(frozen=True)
class _FileSetup:
    selection: Selection
    resolver: ContextResolver


class Checker:
    """Combines flags and `.nixls-assist.toml` files into per-file settings, and runs the rules."""

    def __init__(self, args: argparse.Namespace, indexes: Indexes | None) -> None:
        self.args = args
        self.indexes = indexes
        self.select = None if args.select is None else _codes(args.select, "--select")
        self.ignore = _codes(args.ignore, "--ignore")
        self.release = None
        if args.release is not None:
            self.release = normalise_release(args.release)
            if self.release is None:
                raise ConfigError(f"--release {args.release!r}: no such NixOS release; expected "
                                  f"{release_forms()}")
        self.configs = ConfigFinder(explicit=args.config)
        first = Path(args.paths[0]) if args.paths and args.paths != ["-"] else None
        first_config = self.configs.for_path(first)
        self.fail_on = args.fail_on or first_config.fail_on or "warning"
        self.cache_enabled = first_config.cache
        self.extract_cache: ExtractCache | None = None  # workspace extraction across runs
        self._resolvers: dict[ContextSettings, ContextResolver] = {}
        self._setups: dict[tuple[int, tuple[str, ...], str | None], _FileSetup] = {}
        self._by_path: dict[Path | None, _FileSetup] = {}

    def excluded(self, path: Path, is_dir: bool) -> bool:
        return self.configs.for_path(path if is_dir else path.parent).is_excluded(
            path, is_dir=is_dir)

    def setup(self, path: Path | None) -> _FileSetup:
        setup = self._by_path.get(path)
        if setup is None:
            setup = self._by_path[path] = self._setup(path)
        return setup

    def _setup(self, path: Path | None) -> _FileSetup:
        config = self.configs.for_path(path)
        settings = config.for_file(path)
        key = (id(config), settings.ignore, settings.release)
        if key not in self._setups:
            self._setups[key] = _FileSetup(self._selection(config, settings.ignore),
                                           self._resolver(config, settings.release))
        return self._setups[key]

    def selection_for(self, path: Path | None) -> Selection:
        return _for_path(self.setup(path).selection, path)

    def resolvers(self) -> list[ContextResolver]:
        return list(self._resolvers.values())

    def _selection(self, config: ProjectConfig, ignore: tuple[str, ...]) -> Selection:
        select = self.select if self.select is not None else config.select
        return Selection(select=select, ignore=ignore + self.ignore,
                         severities=dict(config.severities))

    def _resolver(self, config: ProjectConfig, release: str | None) -> ContextResolver:
        settings = ContextSettings(release=self.release or release,
                                   nixpkgs_input=config.nixpkgs_input,
                                   home_manager_input=config.home_manager_input)
        if settings not in self._resolvers:
            self._resolvers[settings] = ContextResolver(settings,
                                                        extract_cache=self.extract_cache)
        return self._resolvers[settings]

    def check(self, data: bytes, path: Path | None, display: str,
              baseline: Baseline | object | None = _UNSET) -> FileResult:
        """`baseline`: the committed version of the file, when already looked up."""
        setup = self.setup(path)
        doc = load_document(data, display, self.args.max_file_size)
        ctx = setup.resolver.context_for(doc, path)
        if baseline is _UNSET:
            ctx = with_committed_baseline(ctx, doc.source)
        elif baseline is not None:
            ctx = replace(ctx, baseline=baseline)
        findings = run_rules(doc, ctx, self.indexes, _for_path(setup.selection, path))
        return FileResult(display, path, doc, ctx, findings)

    def unreadable(self, item: Unreadable) -> FileResult:
        """A file that cannot be read (a dangling symlink, a symlink loop, no permission):
        one NXA003 finding for it, and the run goes on."""
        setup = self.setup(item.path)
        doc = skipped(item.display, f"cannot read the file: {item.reason}; not checked")
        ctx = setup.resolver.context_with(item.path, _NOT_READ)
        findings = run_rules(doc, ctx, self.indexes, _for_path(setup.selection, item.path))
        return FileResult(item.display, item.path, doc, ctx, findings)

    def fix(self, result: FileResult) -> FixOutcome:
        setup = self.setup(result.path)

        def recheck(source: bytes) -> tuple[ParsedDocument, list[Finding]]:
            doc = load_document(source, result.display_path, self.args.max_file_size)
            # The committed baseline (NXA301) is the same file's, whatever the fixes did.
            ctx = replace(setup.resolver.context_for(doc, result.path),
                          baseline=result.context.baseline)
            return doc, run_rules(doc, ctx, self.indexes,
                                  _for_path(setup.selection, result.path))

        return fix_document(result.doc, result.findings, recheck)


def _for_path(selection: Selection, path: Path | None) -> Selection:
    """Shell scripts (`*.sh`) are not Nix: only the rules that read shell run on them."""
    if path is not None and path.suffix in SHELL_SUFFIXES:
        return shell_selection(selection)
    return selection


_NOT_READ = Classification(FileKind.OTHER, "the file cannot be read")


@dataclass(frozen=True)
class Unreadable:
    """A discovered file whose bytes cannot be read; `path` is not resolved past a symlink."""

    path: Path
    display: str
    reason: str


def _inputs(args: argparse.Namespace,
            checker: Checker) -> Iterator[tuple[bytes, Path | None, str] | Unreadable]:
    if args.paths == ["-"]:
        yield sys.stdin.buffer.read(), Path(args.stdin_filename).resolve(), args.stdin_filename
        return
    if "-" in args.paths:
        raise ConfigError("`-` (stdin) cannot be combined with other paths")
    cwd = Path.cwd().resolve()
    for path in discover(args.paths, checker.excluded, args.force_exclude):
        try:
            data = path.read_bytes()
        except OSError as exc:
            link = path.parent.resolve() / path.name
            yield Unreadable(link, _relative(link, cwd), unreadable_reason(path, exc))
            continue
        yield data, path, _display(path, cwd)


def _display(path: Path, cwd: Path) -> str:
    """`path` relative to the (resolved) working directory `cwd` when inside it."""
    return _relative(resolve_file(path), cwd)


def _relative(absolute: Path, cwd: Path) -> str:
    try:
        return absolute.relative_to(cwd).as_posix()
    except ValueError:
        return absolute.as_posix()


def _codes(text: str, flag: str) -> tuple[str, ...]:
    codes = tuple(c.strip().upper() for c in text.split(",") if c.strip())
    for code in codes:
        if not any(known.startswith(code) for known in RULES_BY_CODE):
            raise ConfigError(f"{flag} {code}: no finding code starts with it "
                              f"(known: {', '.join(sorted(RULES_BY_CODE))})")
    return codes


def _render(report: CheckReport, args: argparse.Namespace, out: TextIO) -> None:
    fix_note = sys.stderr if args.format != "text" else out
    for record in sorted(report.fixed, key=lambda r: r.display_path):
        if record.applied:
            codes = ", ".join(f"{code} ×{n}" for code, n in sorted(record.applied.items()))
            fix_note.write(f"fixed {record.count} finding(s) in {record.display_path} ({codes})\n")
        for refusal in record.refused:
            fix_note.write(f"{record.display_path}: {refusal}\n")
    if args.format == "json":
        extra = {"statistics": statistics(report)} if args.statistics else {}
        if args.fix:
            extra["fixed"] = [{"file": r.display_path, "count": r.count,
                               "codes": dict(sorted(r.applied.items()))}
                              for r in sorted(report.fixed, key=lambda r: r.display_path)]
        render_json(report, out, extra)
    elif args.format == "sarif":
        render_sarif(report, out)
    elif args.format == "github":
        render_github(report, out)
    elif args.statistics:
        render_statistics(report, out)
    else:
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
