"""The on-disk index: one SQLite file per (system, release), or one multi-release file.

Why SQLite: opening is instant and nothing is loaded up front; the lookup walks the option tree
one parent at a time (`nodes` by parent) and caches what it saw. Several releases share a file
through a bit mask per row (the embedded home-manager data holds 8 releases in one file).

Files are written to a temporary file next to the target and `os.replace`d, so a reader never
sees a half-written index and a failed build leaves the previous one in place.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from option_index.errors import StoreCorrupt
from option_index.model import DriftRecord
from option_index.paths import parent_key, to_key

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE releases(bit INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
                      authoritative INTEGER NOT NULL, option_count INTEGER NOT NULL);
CREATE TABLE nodes(key TEXT PRIMARY KEY, parent TEXT NOT NULL, name TEXT NOT NULL,
                   mask INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX nodes_parent ON nodes(parent);
CREATE INDEX nodes_name ON nodes(name COLLATE NOCASE);
CREATE TABLE options(key TEXT NOT NULL, mask INTEGER NOT NULL, type TEXT NOT NULL,
                     read_only INTEGER NOT NULL, default_text TEXT, example TEXT,
                     description TEXT, declarations TEXT NOT NULL);
CREATE INDEX options_key ON options(key);
CREATE TABLE drift(kind TEXT NOT NULL, from_path TEXT NOT NULL, to_path TEXT,
                   release TEXT NOT NULL, message TEXT NOT NULL, release_inferred INTEGER,
                   release_window TEXT, path_inferred INTEGER, unreleased INTEGER,
                   source TEXT NOT NULL, reintroduced TEXT, warns_from TEXT,
                   releases TEXT NOT NULL);
"""


@dataclass(frozen=True, slots=True)
class OptionRow:
    """An option as a source produced it, before it is stored."""

    segments: tuple[str, ...]
    type: str
    read_only: bool = False
    default: str | None = None
    example: str | None = None
    description: str | None = None
    declarations: tuple[str, ...] = ()


@dataclass
class ReleaseOptions:
    """The option set of one release. `authoritative`: complete enough to call a path unknown."""

    release: str
    options: Sequence[OptionRow]
    authoritative: bool = True


@dataclass
class StoreContent:
    system: str
    source: str
    releases: list[ReleaseOptions] = field(default_factory=list)
    drift: list[DriftRecord] = field(default_factory=list)
    extra_meta: dict[str, str] = field(default_factory=dict)


def _fill(conn: sqlite3.Connection, content: StoreContent) -> None:
    conn.executescript(_SCHEMA)
    meta = {
        "schema_version": str(SCHEMA_VERSION),
        "system": content.system,
        "source": content.source,
        **content.extra_meta,
    }
    conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
    rows: dict[tuple, int] = {}
    nodes: dict[str, int] = {}
    for bit, rel in enumerate(content.releases):
        flag = 1 << bit
        count = 0
        for opt in rel.options:
            key = to_key(opt.segments)
            row = (key, opt.type, int(opt.read_only), opt.default, opt.example,
                   opt.description, json.dumps(list(opt.declarations)))
            if not rows.get(row, 0) & flag:
                count += 1
            rows[row] = rows.get(row, 0) | flag
            for depth in range(1, len(opt.segments) + 1):
                k = to_key(opt.segments[:depth])
                nodes[k] = nodes.get(k, 0) | flag
        conn.execute("INSERT INTO releases VALUES (?, ?, ?, ?)",
                     (bit, rel.release, int(rel.authoritative), count))
    conn.executemany(
        "INSERT INTO options VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        ((r[0], mask, *r[1:]) for r, mask in sorted(rows.items(), key=lambda kv: kv[0][0])),
    )
    conn.executemany(
        "INSERT INTO nodes VALUES (?, ?, ?, ?)",
        ((k, parent_key(k), k.rsplit("\x1f", 1)[-1], m) for k, m in sorted(nodes.items())),
    )
    conn.executemany(
        "INSERT INTO drift VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ((d.kind, d.from_path, d.to_path, d.release, d.message, int(d.release_inferred),
          d.release_window, int(d.path_inferred), int(d.unreleased), d.source,
          d.reintroduced, d.warns_from, " ".join(d.releases)) for d in content.drift),
    )
    conn.commit()


def write_store(dest: Path, content: StoreContent) -> None:
    """Write `content` to `dest` atomically (temp file in the same directory + os.replace)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    try:
        conn = sqlite3.connect(tmp)
        try:
            conn.execute("PRAGMA journal_mode=OFF")
            conn.execute("PRAGMA page_size=4096")
            _fill(conn, content)
            conn.execute("VACUUM")
        finally:
            conn.close()
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def memory_store(content: StoreContent) -> Store:
    """An in-memory store (the user's workspace modules; tests)."""
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    _fill(conn, content)
    return Store(conn, "<memory>")


@dataclass(frozen=True, slots=True)
class ReleaseInfo:
    bit: int
    name: str
    authoritative: bool
    option_count: int

    @property
    def mask(self) -> int:
        return 1 << self.bit


class Store:
    """Read side of one store file. Every query error surfaces as StoreCorrupt."""

    def __init__(self, conn: sqlite3.Connection, label: str) -> None:
        self._conn = conn
        self.label = label
        self.meta: dict[str, str] = {}
        self.releases: dict[str, ReleaseInfo] = {}

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open and validate `path` read-only: size, schema version. Cheap (no full read)."""
        try:
            size = path.stat().st_size
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                                   check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise StoreCorrupt(f"cannot open index file {path}: {exc}") from exc
        store = cls(conn, str(path))
        try:
            page_size = conn.execute("PRAGMA page_size").fetchone()[0]
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            if pages == 0 or page_size * pages > size:
                raise StoreCorrupt(f"index file {path} is truncated or empty")
            store._load_header()
        except StoreCorrupt:
            conn.close()
            raise
        except sqlite3.Error as exc:
            conn.close()
            raise StoreCorrupt(f"index file {path} is corrupt ({exc})") from exc
        return store

    @classmethod
    def from_bytes(cls, data: bytes, label: str) -> Store:
        """A store deserialized into memory (embedded data when the cache is not writable)."""
        conn = sqlite3.connect(":memory:", check_same_thread=False)
        conn.deserialize(data)
        store = cls(conn, label)
        store._load_header()
        return store

    def _load_header(self) -> None:
        try:
            self.meta = dict(self._conn.execute("SELECT key, value FROM meta"))
        except sqlite3.Error as exc:
            raise StoreCorrupt(f"index file {self.label} is not an index ({exc})") from exc
        version = self.meta.get("schema_version")
        if version != str(SCHEMA_VERSION):
            raise StoreCorrupt(
                f"index file {self.label} has schema version {version}, expected {SCHEMA_VERSION}"
            )
        self.releases = {
            name: ReleaseInfo(bit, name, bool(auth), count)
            for bit, name, auth, count in self._conn.execute(
                "SELECT bit, name, authoritative, option_count FROM releases"
            )
        }

    def _rows(self, sql: str, args: tuple = ()) -> list[tuple]:
        try:
            return self._conn.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise StoreCorrupt(f"index file {self.label} is corrupt ({exc})") from exc

    def children(self, parent: str, mask: int) -> list[tuple[str, str]]:
        """(name, key) of the nodes directly below `parent` in the releases of `mask`."""
        return self._rows(
            "SELECT name, key FROM nodes WHERE parent = ? AND (mask & ?) != 0", (parent, mask)
        )

    def option(self, key: str, mask: int) -> tuple | None:
        rows = self._rows(
            "SELECT type, read_only, default_text, example, description, declarations "
            "FROM options WHERE key = ? AND (mask & ?) != 0 LIMIT 1", (key, mask)
        )
        return rows[0] if rows else None

    def nodes_named(self, name: str, mask: int, limit: int = 50) -> list[str]:
        """Keys of nodes whose last segment equals `name` case-insensitively (did-you-mean)."""
        return [r[0] for r in self._rows(
            "SELECT key FROM nodes WHERE name = ? COLLATE NOCASE AND (mask & ?) != 0 LIMIT ?",
            (name, mask, limit))]

    def drift_records(self) -> list[DriftRecord]:
        return [
            DriftRecord(kind=r[0], from_path=r[1], to_path=r[2], release=r[3], message=r[4],
                        release_inferred=bool(r[5]), release_window=r[6],
                        path_inferred=bool(r[7]), unreleased=bool(r[8]), source=r[9],
                        reintroduced=r[10], warns_from=r[11],
                        releases=tuple(r[12].split()) if r[12] else ())
            for r in self._rows("SELECT * FROM drift")
        ]

    def close(self) -> None:
        self._conn.close()
