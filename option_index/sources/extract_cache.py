"""Per-file results of the static extractor, keyed by content hash, so a rebuild re-reads only
what changed (two nixpkgs revisions share almost every module file).

One SQLite file in the cache directory. An entry is keyed by the file's path relative to the
tree root and the sha256 of its bytes, and lists the other files its result depends on (files
it imports as submodules) with their hashes; it is used only when those still match. Paths
inside the result (declarations, drift sources) are stored relative to the root and rebased
on the way out, so an entry is shared between store paths of different revisions.
Entries not used for `_MAX_AGE_DAYS` are dropped at the end of a build.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import sqlite3
import time
from pathlib import Path

from option_index.model import DriftRecord
from option_index.sources.extract import EXTRACTOR_VERSION, FileExtraction
from option_index.store.database import OptionRow

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries(rel TEXT NOT NULL, digest TEXT NOT NULL, deps TEXT NOT NULL,
                                   result TEXT NOT NULL, used REAL NOT NULL,
                                   PRIMARY KEY (rel, digest)) WITHOUT ROWID;
"""
_VERSION = f"1/{EXTRACTOR_VERSION}"
_MAX_AGE_DAYS = 60
_TOUCH_SECONDS = 86400  # a hit older than this refreshes its `used` time (one write a day)
_ROOT = "\x00root"


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rel(text: str, root: str) -> str:
    return _ROOT + text[len(root):] if text.startswith(root) else text


def _abs(text: str, root: str) -> str:
    return root + text[len(_ROOT):] if text.startswith(_ROOT) else text


class ExtractCache:
    """Open with a path (persistent) or None (in memory, for one build)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.hits = self.misses = 0
        target = ":memory:"
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            target = str(path)
        self._conn = sqlite3.connect(target, timeout=10)
        try:
            self._conn.executescript(_SCHEMA)
            self._conn.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT)")
            row = self._conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
            if row is None or row[0] != _VERSION:
                self._conn.execute("DELETE FROM entries")
                self._conn.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)",
                                   (_VERSION,))
            self._conn.commit()
        except sqlite3.DatabaseError:
            # a damaged cache is only lost time: start over in memory
            self._conn.close()
            self._conn = sqlite3.connect(":memory:")
            self._conn.executescript(_SCHEMA)

    def get(self, root: Path, rel: str, digest: str) -> FileExtraction | None:
        row = self._conn.execute(
            "SELECT deps, result, used FROM entries WHERE rel = ? AND digest = ?",
            (rel, digest)).fetchone()
        if row is None:
            self.misses += 1
            return None
        for dep, dep_digest in json.loads(row[0]):
            try:
                if file_digest(root / dep) != dep_digest:
                    self.misses += 1
                    return None
            except OSError:
                self.misses += 1
                return None
        now = time.time()
        if now - row[2] > _TOUCH_SECONDS:  # a warm run writes nothing (no commit, no fsync)
            self._conn.execute("UPDATE entries SET used = ? WHERE rel = ? AND digest = ?",
                               (now, rel, digest))
        self.hits += 1
        return _load(json.loads(row[1]), str(root))

    def put(self, root: Path, rel: str, digest: str, part: FileExtraction) -> None:
        deps = []
        for dep in sorted(part.imported_files):
            with contextlib.suppress(OSError, ValueError):
                deps.append((dep.relative_to(root).as_posix(), file_digest(dep)))
        self._conn.execute("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?)",
                           (rel, digest, json.dumps(deps), json.dumps(_dump(part, str(root))),
                            time.time()))

    def commit(self) -> None:
        self._conn.commit()

    def prune(self) -> None:
        self._conn.execute("DELETE FROM entries WHERE used < ?",
                           (time.time() - _MAX_AGE_DAYS * 86400,))
        self._conn.commit()

    def close(self) -> None:
        self._conn.commit()
        self._conn.close()


def _dump(part: FileExtraction, root: str) -> dict:
    return {
        "options": [[list(o.segments), o.type, o.read_only, o.default, o.example,
                     o.description, [_rel(d, root) for d in o.declarations]]
                    for o in part.options],
        "drift": [{**dataclasses.asdict(d), "source": _rel(d.source, root)} for d in part.drift],
        "errors": [_rel(e, root) for e in part.parse_errors],
        "submodules": [_rel(str(p), root) for p in part.submodule_files],
        "imports": [_rel(str(p), root) for p in part.imported_files],
    }


def _load(data: dict, root: str) -> FileExtraction:
    part = FileExtraction(files=1)
    part.options = [OptionRow(tuple(o[0]), o[1], o[2], o[3], o[4], o[5],
                              tuple(_abs(d, root) for d in o[6])) for o in data["options"]]
    part.drift = [DriftRecord(**{**d, "source": _abs(d["source"], root),
                                 "releases": tuple(d["releases"]), "chain": tuple(d["chain"])})
                  for d in data["drift"]]
    part.parse_errors = [_abs(e, root) for e in data["errors"]]
    part.submodule_files = {Path(_abs(p, root)) for p in data["submodules"]}
    part.imported_files = {Path(_abs(p, root)) for p in data["imports"]}
    return part
