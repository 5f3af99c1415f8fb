"""`nixls-assist index list|build|fetch|path|clear`: see and manage the option indexes.

`index fetch RELEASE` imports a release's options.json; `index fetch --rev / --from-lock /
--release` fetches the exact source of a revision (analysis/source_fetch.py).

Registered by nixls_assist/cli/main.py like the other commands. Nothing here
prints outside the given streams or exits: the return value is the exit code (0 ok, 1 the
operation failed (download, unreadable input), 2 usage or configuration error).
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path
from typing import TextIO

from nixls_assist.analysis.index_store import (
    CACHE_FILE,
    SYSTEMS,
    CacheNotWritable,
    DownloadSettings,
    IndexUnavailable,
    OptionIndexError,
    Store,
    StoreCorrupt,
    build_from,
    cached_files,
    default_cache_dir,
    fetch,
    manifest,
    normalize_release,
    source_indexes,
)


def add_index_parser(subparsers) -> None:
    """Register `index` and its sub-commands on an argparse sub-parsers object."""
    index = subparsers.add_parser("index", help="see, build or download option indexes")
    index.add_argument("--cache-dir", type=Path, default=None,
                       help="index directory (default: the user cache dir, or "
                            "$NIXLS_ASSIST_CACHE_DIR)")
    sub = index.add_subparsers(dest="index_command", metavar="COMMAND")
    sub.add_parser("list", help="cached and embedded indexes")
    build = sub.add_parser("build", help="import an options.json or extract a module tree")
    build.add_argument("--from", dest="source", type=Path, required=True, metavar="FILE|DIR")
    build.add_argument("--system", choices=SYSTEMS, default="nixos")
    build.add_argument("--release", required=True, help="e.g. 24.11 or unstable")
    fetch_p = sub.add_parser(
        "fetch", help="download a release's options.json, or the exact source of a revision",
        description="`index fetch RELEASE` downloads the options.json of a release. "
                    "`--rev`, `--from-lock` and `--release` download the source archive of a "
                    "nixpkgs / home-manager revision instead, verify it against the lock's "
                    "narHash, extract its option declarations and rename shims statically, and "
                    "cache the index per revision: a `check` of a flake pinned to that "
                    "revision then uses it as if the tree were in the Nix store. Exit codes: "
                    "0 done, 1 a download, verification or extraction failed, 2 usage error.")
    fetch_p.add_argument("release", nargs="?", default=None,
                         help="a release (24.11, unstable): download its options.json")
    what = fetch_p.add_mutually_exclusive_group()
    what.add_argument("--rev", default=None, metavar="REV",
                      help="the source archive of this commit (40 hex digits)")
    what.add_argument("--from-lock", nargs="?", const=Path("flake.lock"), type=Path,
                      default=None, metavar="FLAKE.LOCK",
                      help="the source of every nixpkgs / home-manager input of a flake.lock, "
                           "at its locked rev, verified against its narHash (default: "
                           "./flake.lock)")
    what.add_argument("--release", dest="branch_release", default=None, metavar="RELEASE",
                      help="the source of a release branch's head (nixos-25.05, home-manager "
                           "release-25.05); `upgrade --to RELEASE` then uses it")
    fetch_p.add_argument("--system", choices=SYSTEMS, default="nixos",
                         help="which source (default nixos: nixpkgs); --from-lock finds both")
    fetch_p.add_argument("--repo", default=None, metavar="OWNER/NAME",
                         help="with --rev / --release: another repository (a fork; default "
                              "NixOS/nixpkgs, nix-community/home-manager)")
    fetch_p.add_argument("--narhash", default=None, metavar="HASH",
                         help="with --rev: fail unless the unpacked tree has this NAR hash")
    fetch_p.add_argument("--source-url", default=None, metavar="TEMPLATE",
                         help="where source archives come from, with {owner}, {repo}, {rev} "
                              "(config `source-url`, env NIXLS_ASSIST_SOURCE_URL; default "
                              "https://github.com/{owner}/{repo}/archive/{rev}.tar.gz)")
    fetch_p.add_argument("--force", action="store_true",
                         help="download again even when the revision is cached")
    fetch_p.add_argument("--url", default=None,
                         help="with RELEASE: download the options.json from this URL instead")
    fetch_p.add_argument("--timeout", type=float, default=30.0,
                         help="seconds without data before a retry (default 30)")
    fetch_p.add_argument("--retries", type=int, default=2,
                         help="extra attempts after a transient failure (default 2)")
    sub.add_parser("path", help="print the index directory")
    clear = sub.add_parser("clear", help="remove cached indexes")
    clear.add_argument("--system", choices=SYSTEMS, default=None)
    clear.add_argument("--release", default=None)


def _age(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


def _list(cache_dir: Path, out: TextIO) -> int:
    rows = [("SYSTEM", "RELEASE", "OPTIONS", "AGE", "SOURCE")]
    now = time.time()
    for f in cached_files(cache_dir):
        try:
            store = Store.open(f.path)
            info = store.releases.get(f.release) or next(iter(store.releases.values()))
            count, source = str(info.option_count), store.meta.get("source", "")
            store.close()
        except (StoreCorrupt, StopIteration) as exc:
            count, source = "-", f"unreadable ({exc}); rebuild it"
        rows.append((f.system, f.release, count, _age(now - f.path.stat().st_mtime), source))
    for system, _key, path in source_indexes(cache_dir):
        try:
            store = Store.open(path)
            info = next(iter(store.releases.values()))
            release, count, source = info.name, str(info.option_count), store.meta["source"]
            store.close()
        except (StoreCorrupt, StopIteration, KeyError) as exc:
            release, count, source = "-", "-", f"unreadable ({exc}); it is rebuilt on next use"
        rows.append((system, release, count, _age(now - path.stat().st_mtime), source))
    for system, info in sorted(manifest().items()):
        for rel in info["releases"]:
            kind = "option set" if rel["authoritative"] else "reference option set, not exact"
            rows.append((system, rel["name"], str(rel["option_count"]), "embedded",
                         f"embedded {system} {kind}"))
        rows.append((system, "*", "-", "embedded",
                     f"embedded {system} drift table ({info['drift_records']} records)"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        out.write("  ".join(c.ljust(w) for c, w in zip(r[:4], widths, strict=False)))
        out.write(f"  {r[4]}\n")
    return 0


def _clear(cache_dir: Path, system: str | None, release: str | None, out: TextIO) -> int:
    removed = 0
    for f in cached_files(cache_dir):
        if (system is None or f.system == system) and (release is None or f.release == release):
            f.path.unlink(missing_ok=True)
            removed += 1
    if release is None:
        for found_system, _key, path in source_indexes(cache_dir):
            if system is None or found_system == system:
                path.unlink(missing_ok=True)
                removed += 1
    if system is None and release is None and cache_dir.is_dir():
        for extra in [*cache_dir.glob("*.corrupt"), *(cache_dir / "embedded").glob("*.sqlite"),
                      cache_dir / CACHE_FILE]:
            extra.unlink(missing_ok=True)
    out.write(f"removed {removed} cached index(es) from {cache_dir}\n")
    return 0


class _Progress:
    """A quiet progress report: one line per 10% (or per MiB when the size is unknown)."""

    def __init__(self, err: TextIO) -> None:
        self.err, self.step = err, -1

    def __call__(self, done: int, total: int | None) -> None:
        step = done * 10 // total if total else done // (1 << 20)
        if step != self.step:
            self.step = step
            where = f"{step * 10}%" if total else f"{done >> 20} MiB"
            self.err.write(f"  downloaded {where}\n")


def _fetch_source(args: argparse.Namespace, cache_dir: Path, out: TextIO, err: TextIO) -> int:
    """`index fetch --rev / --from-lock / --release`: exit 1 when any revision failed."""
    from nixls_assist.analysis import Workspace
    from nixls_assist.analysis.source_fetch import (
        FetchOptions,
        fetch_lock,
        fetch_release_source,
        fetch_rev,
    )

    if args.release is not None:
        err.write("error: index fetch: RELEASE cannot be combined with --rev, --from-lock or "
                  "--release\n")
        return 2
    if args.narhash and not args.rev:
        err.write("error: --narhash only goes with --rev\n")
        return 2
    where = args.from_lock.resolve().parent if args.from_lock else Path.cwd()
    config = Workspace().project_config(where)
    options = FetchOptions(
        cache_dir=cache_dir, source_url=args.source_url or config.source_url,
        settings=DownloadSettings(timeout=args.timeout, retries=max(0, args.retries)),
        progress=_Progress(err), report=lambda text: err.write(f"  {text}\n"),
        force=args.force)
    if args.rev:
        outcomes = [fetch_rev(args.system, args.rev, options, repo=args.repo,
                              nar_hash=args.narhash)]
    elif args.branch_release:
        outcomes = [fetch_release_source(args.system, normalize_release(args.branch_release),
                                         options, repo=args.repo)]
    else:
        if not args.from_lock.is_file():
            err.write(f"error: {args.from_lock}: no such flake.lock\n")
            return 2
        outcomes = fetch_lock(args.from_lock, options, nixpkgs_input=config.nixpkgs_input,
                              home_manager_input=config.home_manager_input)
        if not outcomes:
            out.write(f"{args.from_lock}: no nixpkgs or home-manager input to fetch\n")
    for outcome in outcomes:
        if outcome.error is not None:
            err.write(f"error: {outcome.line}\n")
        else:
            out.write(f"{outcome.line}\n")
    return 1 if any(o.error is not None for o in outcomes) else 0


def run_index(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    cache_dir = getattr(args, "cache_dir", None) or default_cache_dir()
    command = getattr(args, "index_command", None)
    try:
        if command == "list":
            return _list(cache_dir, out)
        if command == "path":
            out.write(f"{cache_dir}\n")
            return 0
        if command == "clear":
            release = normalize_release(args.release) if args.release else None
            return _clear(cache_dir, args.system, release, out)
        if command == "build":
            if not args.source.exists():
                err.write(f"error: {args.source} does not exist\n")
                return 2
            result = build_from(args.source, args.system, normalize_release(args.release),
                                cache_dir)
        elif command == "fetch" and (args.rev or args.from_lock or args.branch_release):
            return _fetch_source(args, cache_dir, out, err)
        elif command == "fetch":
            if args.release is None:
                err.write("error: index fetch: give a RELEASE, --rev, --from-lock or --release\n")
                return 2
            settings = DownloadSettings(timeout=args.timeout, retries=max(0, args.retries))
            result = fetch(args.system, normalize_release(args.release), cache_dir,
                           url=args.url, settings=settings, progress=_Progress(err))
        else:
            err.write("usage: nixls-assist index {list,build,fetch,path,clear} ...\n")
            return 2
    except ValueError as exc:
        err.write(f"error: {exc}\n")
        return 2
    except (IndexUnavailable, CacheNotWritable) as exc:
        err.write(f"error: {exc}\n")
        return 2
    except OptionIndexError as exc:
        err.write(f"error: {exc}\n")
        return 1
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    out.write(f"{result.system} {result.release}: {result.option_count} options, "
              f"{result.drift_count} drift records -> {result.path} ({stamp})\n")
    return 0
