"""The embedded default indexes shipped inside the package (option_index/data/).

They are SQLite stores compressed with brotli. On first use a store is unpacked once into the
cache directory (named by its hash, so a package upgrade never reads a stale copy) and opened
like any other store; when the cache is not writable it is unpacked into memory instead.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import brotli

from option_index.errors import StoreCorrupt
from option_index.store.database import Store

DATA_DIR = Path(__file__).parent / "data"
MANIFEST = "manifest.json"

_lock = threading.Lock()
_open: dict[tuple[str, str], Store] = {}


@lru_cache(maxsize=1)
def manifest() -> dict[str, Any]:
    """{system: {file, sha256, source, releases: [{name, authoritative, option_count}]}}."""
    try:
        return json.loads((DATA_DIR / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _unpack(system: str, info: dict[str, Any]) -> bytes:
    data = brotli.decompress((DATA_DIR / info["file"]).read_bytes())
    if hashlib.sha256(data).hexdigest() != info["sha256"]:
        raise StoreCorrupt(f"embedded {system} index is damaged; reinstall nixls-assist")
    return data


def _materialize(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def open_embedded(system: str, cache_dir: Path,
                  on_notice: Callable[[str], None] | None = None) -> Store | None:
    """The embedded store of `system`, or None when the package has none for it."""
    info = manifest().get(system)
    if info is None:
        return None
    memo = (system, str(cache_dir))
    with _lock:
        if memo in _open:
            return _open[memo]
        target = cache_dir / "embedded" / f"{system}-{info['sha256'][:16]}.sqlite"
        store = None
        if target.exists():
            try:
                store = Store.open(target)
            except StoreCorrupt:
                store = None  # our own unpacked copy: just unpack it again
        if store is None:
            data = _unpack(system, info)
            try:
                _materialize(target, data)
                store = Store.open(target)
            except (OSError, StoreCorrupt) as exc:
                if on_notice:
                    on_notice(f"cache directory {cache_dir} is not writable ({exc}); "
                              f"using the embedded {system} index from memory")
                store = Store.from_bytes(data, f"embedded {system}")
        _open[memo] = store
        return store
