"""`nixls-assist index list|build|fetch|path|clear`: see and manage the option indexes.

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
    fetch_p = sub.add_parser("fetch", help="download the options.json of a release")
    fetch_p.add_argument("release")
    fetch_p.add_argument("--system", choices=SYSTEMS, default="nixos")
    fetch_p.add_argument("--url", default=None, help="download from this URL instead")
    fetch_p.add_argument("--timeout", type=float, default=30.0, help="seconds (default 30)")
    fetch_p.add_argument("--retries", type=int, default=2)
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
        elif command == "fetch":
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
