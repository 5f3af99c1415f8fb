"""The result cache of `check`: an unchanged file in an unchanged context is not checked again.

Like ruff's cache: one JSON file per working directory in the user cache directory
(`~/.cache/nixls-assist/check/`, or `$NIXLS_ASSIST_CACHE_DIR/check`), holding per file the key
its findings were computed under, the findings and the file's classification. The key is a
digest of everything the findings depend on:

- the tool: its version, a digest of its own source code, the embedded option data, the
  files of the option index cache directory (any `index fetch` / store build invalidates);
- the run: rule selection and severities, context settings (`--release`, input names),
  `--max-file-size`, the display path;
- the file: its path and bytes; its context without the document: lock path and lock bytes,
  both pins (release, rev, narHash, source path, date, reason), notices, how the flake's module
  structure classifies it, a digest of the options the workspace's own modules declare, and
  the committed text NXA301 compares with.

The classification itself is a function of the bytes, the path and that structure, so it is
stored, not keyed. Anything not in the key is not cached: `--fix`, `--diff`, stdin, injected
indexes. The file is written atomically (temporary file + rename); a damaged one is reported
once and rebuilt. Workspace option extraction keeps its own per-file cache next to it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nixls_assist import __version__
from nixls_assist.context.filekind import Classification, FileKind
from nixls_assist.context.git import Baseline
from nixls_assist.context.resolver import ContextResolver, FileContext
from nixls_assist.findings import Applicability, Edit, Finding, Fix, Severity, Span
from nixls_assist.run_cache import check_cache_dir
from option_index.sources.extract_cache import ExtractCache
from option_index.store.cache import default_cache_dir

FORMAT = 1
_MAX_AGE_SECONDS = 30 * 86400
_TOUCH_SECONDS = 86400  # a hit older than this refreshes its `used` time (one write a day)
_PACKAGES = ("nixls_assist", "option_index")


def cache_root() -> Path:
    return Path(check_cache_dir())  # shared with the run cache, which cannot import this


class ResultCache:
    """Findings per file under a key; load once, save once at the end of a run."""

    def __init__(self, directory: Path, cwd: Path, notice: Callable[[str], None]) -> None:
        self.directory = directory
        self.path = directory / f"{hashlib.sha256(str(cwd).encode()).hexdigest()[:20]}.json"
        self.hits = self.misses = 0
        self._notice = notice
        self._entries: dict[str, dict[str, Any]] = {}
        self._dirty = False
        self._global = _global_key()
        self._lock_digests: dict[Path, str | None] = {}
        self._load()
        self.extract_cache: ExtractCache | None = None
        try:
            self.extract_cache = ExtractCache(directory / "workspace-extract.sqlite")
        except (OSError, sqlite3.Error):
            self.extract_cache = None  # unwritable: extract in memory

    # -- keys ----------------------------------------------------------------------------

    def key(self, *, data: bytes, display: str, settings: object, selection: object,
            max_bytes: int, ctx: FileContext, hint: Classification | None,
            workspace: str | None, baseline: Baseline | None) -> str:
        parts = [
            self._global, display, str(ctx.path), hashlib.sha256(data).hexdigest(),
            repr(settings), repr(selection), max_bytes,
            str(ctx.lock_path), self._lock_digest(ctx.lock_path), ctx.lock_error,
            repr(ctx.nixos), repr(ctx.home_manager), list(ctx.notices),
            None if hint is None else [hint.kind.value, hint.reason], workspace,
            None if baseline is None else
            [baseline.label, hashlib.sha256(baseline.source).hexdigest()],
        ]
        return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()

    def _lock_digest(self, lock_path: Path | None) -> str | None:
        if lock_path is None:
            return None
        if lock_path not in self._lock_digests:
            try:
                self._lock_digests[lock_path] = hashlib.sha256(lock_path.read_bytes()).hexdigest()
            except OSError:
                self._lock_digests[lock_path] = "unreadable"
        return self._lock_digests[lock_path]

    # -- entries -------------------------------------------------------------------------

    def get(self, path: Path, key: str) -> tuple[list[Finding], Classification] | None:
        entry = self._entries.get(str(path))
        if entry is None or entry.get("key") != key:
            self.misses += 1
            return None
        try:
            findings = [_finding(f) for f in entry["findings"]]
            classification = Classification(FileKind(entry["kind"]), str(entry["reason"]))
        except (KeyError, TypeError, ValueError, IndexError):
            self.misses += 1  # a damaged entry: checked again and overwritten
            return None
        self.hits += 1
        if time.time() - float(entry.get("used", 0)) > _TOUCH_SECONDS:
            entry["used"] = time.time()
            self._dirty = True
        return findings, classification

    def put(self, path: Path, key: str, findings: list[Finding],
            classification: Classification) -> None:
        self._entries[str(path)] = {
            "key": key, "used": time.time(), "kind": classification.kind.value,
            "reason": classification.reason, "findings": [_finding_json(f) for f in findings],
        }
        self._dirty = True

    # -- disk ----------------------------------------------------------------------------

    def _load(self) -> None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError:
            return  # unreadable: run without, try to write a fresh one at the end
        try:
            data = json.loads(raw)
            if not isinstance(data, dict) or not isinstance(data.get("entries"), dict):
                raise ValueError("not a cache file")
        except (ValueError, UnicodeDecodeError) as exc:
            self._notice(f"ignoring a damaged result cache {self.path} ({exc}); rebuilding it")
            self._dirty = True
            return
        if data.get("format") != FORMAT:
            self._dirty = True
            return
        now = time.time()
        self._entries = {
            path: entry for path, entry in data["entries"].items()
            if isinstance(entry, dict) and isinstance(entry.get("used"), (int, float))
            and now - entry["used"] < _MAX_AGE_SECONDS
        }

    def detach_extract_cache(self, resolvers: list[ContextResolver]) -> None:
        """Close the extraction cache (before forking: no database open across a fork)."""
        for resolver in resolvers:
            resolver.release_extract_cache()
        if self.extract_cache is not None:
            with contextlib.suppress(sqlite3.Error):
                self.extract_cache.close()
            self.extract_cache = None

    def close(self) -> None:
        """Write the entries if anything changed (atomically; failures only cost speed)."""
        if self.extract_cache is not None:
            with contextlib.suppress(sqlite3.Error):
                self.extract_cache.prune()
                self.extract_cache.close()
            self.extract_cache = None
        if not self._dirty:
            return
        payload = json.dumps({"format": FORMAT, "tool": __version__,
                              "entries": self._entries}, separators=(",", ":"))
        tmp = None
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".results-", suffix=".tmp", dir=self.directory)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(payload)
            os.replace(tmp, self.path)
            tmp = None
        except OSError:
            pass  # a read-only cache directory: the next run checks everything again
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        self._dirty = False


def _global_key() -> str:
    """The tool (version and code), the embedded option data and the index cache directory."""
    digest = hashlib.sha256(f"{FORMAT}/{__version__}".encode())
    here = Path(__file__).resolve().parent.parent.parent
    for package in _PACKAGES:
        for source in sorted((here / package).rglob("*.py")):
            with contextlib.suppress(OSError):
                digest.update(source.as_posix().encode() + b"\0" + source.read_bytes())
    from option_index.embedded import manifest

    digest.update(json.dumps(manifest(), sort_keys=True).encode())
    index_dir = default_cache_dir()
    with contextlib.suppress(OSError):
        for entry in sorted(os.scandir(index_dir), key=lambda e: e.name):
            if entry.is_file():
                stat = entry.stat()
                digest.update(f"{entry.name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    digest.update(os.environ.get("NIXLS_ASSIST_STORE_INDEX", "").encode())
    return digest.hexdigest()


# -- findings as JSON --------------------------------------------------------------------------

def _finding_json(f: Finding) -> list[Any]:
    return [f.code, f.severity.value, f.span.start, f.span.end, f.message, f.option, f.release,
            [[x.title, x.applicability.value,
              [[e.span.start, e.span.end, e.new_text, e.file] for e in x.edits]]
             for x in f.fixes],
            [[s.start, s.end, text] for s, text in f.related]]


def _finding(raw: list[Any]) -> Finding:
    code, severity, start, end, message, option, release, fixes, related = raw
    return Finding(
        str(code), Severity(severity), Span(int(start), int(end)), str(message), option, release,
        tuple(Fix(str(title), tuple(Edit(Span(int(a), int(b)), str(text), file)
                                    for a, b, text, file in edits), Applicability(applicability))
              for title, applicability, edits in fixes),
        tuple((Span(int(a), int(b)), str(text)) for a, b, text in related),
    )
