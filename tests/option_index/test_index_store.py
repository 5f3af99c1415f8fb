"""The on-disk store: atomic writes, corrupt / truncated / old files and unwritable caches."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from option_index.build import build_from_options_file
from option_index.errors import CacheNotWritable
from option_index.index import open_index
from option_index.model import Lookup
from option_index.store.cache import store_path

OPTIONS = {"programs.demo.enable": {"type": "boolean", "description": "d"}}


def _build(tmp_path: Path, cache_dir: Path) -> Path:
    src = tmp_path / "options.json"
    src.write_text(json.dumps(OPTIONS))
    return build_from_options_file(src, "home-manager", "24.11", cache_dir).path


def test_built_index_wins_over_embedded(tmp_path, cache_dir):
    _build(tmp_path, cache_dir)
    ix = open_index("home-manager", "24.11", cache_dir=cache_dir)
    assert ix.lookup(("programs", "demo", "enable"))[0] is Lookup.FOUND
    assert ix.lookup(("programs", "git", "enable"))[0] is Lookup.UNKNOWN  # not in this file
    assert ix.lookup(("home", "packages"))[0] is Lookup.NOT_INDEXED
    # history (added_later) and drift still come from the embedded data
    assert ix.drift(("programs", "zsh", "enableAutosuggestions")) is not None


@pytest.mark.parametrize("damage", ["garbage", "truncate", "empty", "old-schema"])
def test_damaged_cache_file_falls_back_with_one_notice(tmp_path, cache_dir, damage):
    path = _build(tmp_path, cache_dir)
    if damage == "garbage":
        path.write_bytes(b"this is not a database" * 100)
    elif damage == "truncate":
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        conn = sqlite3.connect(path)
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
        conn.commit()
        conn.close()
    notices: list[str] = []
    ix = open_index("home-manager", "24.11", cache_dir=cache_dir, on_notice=notices.append)
    assert len(notices) == 1 and str(path) in notices[0] and "embedded" in notices[0]
    assert ix.source == "embedded home-manager 24.11 option set"
    assert ix.lookup(("programs", "git", "enable"))[0] is Lookup.FOUND
    # reported once: the file was moved aside, the next open is quiet
    assert not path.exists() and path.with_name(path.name + ".corrupt").exists()
    again: list[str] = []
    open_index("home-manager", "24.11", cache_dir=cache_dir, on_notice=again.append)
    assert again == []


def test_corruption_found_mid_session_degrades_to_embedded(tmp_path, cache_dir):
    path = _build(tmp_path, cache_dir)
    notices: list[str] = []
    ix = open_index("home-manager", "24.11", cache_dir=cache_dir, on_notice=notices.append)
    ix._tree.store._conn.close()  # the file vanished / broke under us
    assert ix.lookup(("programs", "git", "enable"))[0] is Lookup.FOUND
    assert len(notices) == 1 and "falling back" in notices[0]
    assert path.exists()


def test_cache_dir_is_a_file(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    notices: list[str] = []
    ix = open_index("home-manager", "25.05", cache_dir=blocker / "cache",
                    on_notice=notices.append)
    assert ix.lookup(("programs", "git", "enable"))[0] is Lookup.FOUND
    assert len(notices) == 1 and "not writable" in notices[0]
    src = tmp_path / "options.json"
    src.write_text(json.dumps(OPTIONS))
    with pytest.raises(CacheNotWritable, match="NIXLS_ASSIST_CACHE_DIR"):
        build_from_options_file(src, "home-manager", "25.05", blocker / "cache")


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_cache_dir(tmp_path):
    cache = tmp_path / "ro"
    cache.mkdir()
    cache.chmod(0o500)
    try:
        notices: list[str] = []
        ix = open_index("home-manager", "23.11", cache_dir=cache, on_notice=notices.append)
        assert ix.lookup(("programs", "git", "enable"))[0] is Lookup.FOUND
        assert notices and "not writable" in notices[0]
    finally:
        cache.chmod(0o700)


def test_store_file_name_and_atomic_write(tmp_path, cache_dir):
    path = _build(tmp_path, cache_dir)
    assert path == store_path(cache_dir, "home-manager", "24.11")
    assert [p.name for p in cache_dir.iterdir() if p.name.endswith(".tmp")] == []
