"""Indexes built from the exact nixpkgs / home-manager tree in the (fake) Nix store.

The trees are written by the tests, copied to the store path their narHash gives (computed by
our NAR serialiser; the serialiser itself is checked against Nix in test_nix_store.py), and
used through the real `nixls-assist check` in a subprocess.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from nixls_assist.analysis.indexes import IndexProvider
from nixls_assist.context.release import ReleasePin
from option_index.errors import IndexUnavailable
from option_index.model import Lookup
from option_index.sources.extract_cache import ExtractCache
from option_index.sources.store_index import (
    Limits,
    build_source_index,
    extract_source,
    open_store_index,
    source_indexes,
    source_tree,
)
from tests.conftest import run_cli
from tests.option_index.store_trees import (
    HOME_MANAGER,
    NIXPKGS,
    flake_lock,
    into_store,
    lock_node,
    write_tree,
)

REV = "a0374025c8b4a6fe3f4bbfd4b47f1c1e4c2b1a9d"
HM_REV = "9ebaa80a227eaca9c87c53ed515ade013bc2bca9"


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def nixpkgs(tmp_path: Path, store: Path) -> tuple[str, Path]:
    return into_store(write_tree(tmp_path / "src" / "nixpkgs", NIXPKGS), store)


@pytest.fixture
def home_manager(tmp_path: Path, store: Path) -> tuple[str, Path]:
    return into_store(write_tree(tmp_path / "src" / "hm", HOME_MANAGER), store)


def test_store_index_has_the_trees_options_and_reachable_shims(
        nixpkgs: tuple[str, Path], store: Path, tmp_path: Path) -> None:
    sri, _ = nixpkgs
    index = open_store_index("nixos", "24.11", rev=REV, nar_hash=sri, store_dir=str(store),
                             cache_dir=tmp_path / "cache")
    assert index is not None
    assert index.source == "options of nixpkgs a0374025, from the Nix store"
    assert index.lookup(("services", "frobnicator", "color"))[0] is Lookup.FOUND
    assert not index.has_option_set  # static extraction never calls a path unknown
    assert index.lookup(("services", "nosuch", "x"))[0] is Lookup.NOT_INDEXED
    renamed = index.drift(("services", "frobnicator", "colour"))
    assert renamed is not None and renamed.to_path == "services.frobnicator.color"
    assert renamed.release == "24.11" and renamed.release_window == "<=24.11"
    assert index.drift(("services", "frobnicator", "speed")).to_path == "services.frobnicator.rate"
    assert index.drift(("services", "oldfrob")).kind == "removed"
    # a shim in a module the module list never reaches changes nothing
    assert index.drift(("services", "frobnicator", "enable")) is None
    # the embedded drift table still applies
    assert index.drift(("hardware", "opengl", "enable")).to_path == "hardware.graphics.enable"
    [(system, key, path)] = source_indexes(tmp_path / "cache")
    assert (system, key) == ("nixos", REV) and REV in path.name


def test_absent_or_foreign_trees_give_no_index(nixpkgs: tuple[str, Path], store: Path,
                                               tmp_path: Path) -> None:
    sri, _ = nixpkgs
    cache = tmp_path / "cache"
    assert open_store_index("home-manager", "24.11", nar_hash=sri, store_dir=str(store),
                            cache_dir=cache) is None  # a nixpkgs tree is no home-manager
    assert open_store_index("nixos", "24.11", nar_hash=sri, store_dir=str(tmp_path / "other"),
                            cache_dir=cache) is None  # not in that store
    assert open_store_index("nixos", "24.11", nar_hash=sri, store_dir=str(store),
                            cache_dir=cache, build=False) is None  # not built yet
    assert not cache.exists() or source_indexes(cache) == []


def test_home_manager_tree_adds_options_and_keeps_typos_unknown(
        home_manager: tuple[str, Path], store: Path, tmp_path: Path) -> None:
    sri, _ = home_manager
    index = open_store_index("home-manager", "24.11", rev=HM_REV, nar_hash=sri,
                             store_dir=str(store), cache_dir=tmp_path / "cache")
    assert index is not None and index.source.startswith("options of home-manager 9ebaa80a")
    assert index.lookup(("programs", "frobtool", "enable"))[0] is Lookup.FOUND
    assert index.lookup(("programs", "frobtool", "settings", "k"))[0] is Lookup.UNDER_FREEFORM
    # the release's evaluated option set still judges everything the tree does not declare
    assert index.has_option_set
    assert index.lookup(("programs", "git", "enable"))[0] is Lookup.FOUND
    assert index.lookup(("programs", "git", "frobnicate"))[0] is Lookup.FOUND
    assert index.lookup(("programs", "gti", "enable"))[0] is Lookup.UNKNOWN
    assert index.added_later(("programs", "frobtool", "enable")) is None


def test_rebuild_reuses_per_file_results(tmp_path: Path) -> None:
    files = {**NIXPKGS, **{f"nixos/modules/services/s{i}.nix":
                           f"{{ lib, ... }}: {{ options.services.s{i}.enable = "
                           f"lib.mkEnableOption \"s{i}\"; }}\n" for i in range(30)}}
    first = source_tree(write_tree(tmp_path / "rev1", files), rev="1" * 40)
    cache_file = tmp_path / "cache" / "extract-cache.sqlite"
    cache = ExtractCache(cache_file)
    before = extract_source(first, cache)
    assert (cache.hits, cache.misses) == (0, before.files)
    cache.close()
    changed = {**files, "nixos/modules/services/s3.nix":
               "{ lib, ... }: { options.services.s3.start = lib.mkEnableOption \"s3\"; }\n"}
    second = source_tree(write_tree(tmp_path / "rev2", changed), rev="2" * 40)
    cache = ExtractCache(cache_file)
    after = extract_source(second, cache)
    assert (cache.hits, cache.misses) == (after.files - 1, 1)
    paths = {o.segments for o in after.options}
    assert ("services", "s3", "start") in paths and ("services", "s3", "enable") not in paths
    # rebased: declarations point into the second tree
    assert all(str(second.root) in d for o in after.options for d in o.declarations)
    cache.close()


def test_limits_and_cancel(tmp_path: Path) -> None:
    tree = source_tree(write_tree(tmp_path / "np", NIXPKGS), rev=REV)
    with pytest.raises(IndexUnavailable, match="more than the limit"):
        build_source_index(tree, tmp_path / "cache", limits=Limits(max_files=2))
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(IndexUnavailable, match="cancelled"):
        build_source_index(tree, tmp_path / "cache", cancel=cancel)
    assert source_indexes(tmp_path / "cache") == []
    seen: list[tuple[int, int]] = []
    build_source_index(tree, tmp_path / "cache", progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (len(seen), len(seen)) and len(seen) == 4


def test_provider_builds_in_the_background(nixpkgs: tuple[str, Path], tmp_path: Path) -> None:
    sri, path = nixpkgs
    ready: list[str] = []
    progress: list[tuple[str, int, int]] = []
    provider = IndexProvider(tmp_path / "cache", store_builds="background",
                             on_store_index=ready.append,
                             progress=lambda what, d, t: progress.append((what, d, t)))
    pin = ReleasePin("24.11", None, "test", rev=REV, nar_hash=sri, source_path=str(path))
    first = provider.get("nixos", pin)
    assert first is not None and "Nix store" not in first.source  # the release index meanwhile
    provider.wait_for_builds(60)
    assert ready == ["nixpkgs a0374025"] and progress[-1][1] == progress[-1][2]
    assert provider.get("nixos", pin).source == "options of nixpkgs a0374025, from the Nix store"
    provider.close()


# --- end to end: `nixls-assist check` on a flake whose inputs are in the fake store --------------

CONFIGURATION = """{ config, lib, pkgs, ... }:
{
  services.frobnicator = {
    enable = true;
    colour = "blue";
  };
  services.frobnicator.rate = 5;
  system.stateVersion = "24.11";
}
"""

HOME = """{ config, pkgs, ... }:
{
  programs.frobtool.enable = true;
  programs.frobtool.settings.theme = "dark";
  programs.git.frobnicate = true;
  home.stateVersion = "24.11";
}
"""


def _workspace(root: Path, nodes: dict[str, dict]) -> Path:
    root.mkdir(parents=True)
    (root / "flake.nix").write_text(
        "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-24.11\";\n"
        "  inputs.home-manager.url = \"github:nix-community/home-manager/release-24.11\";\n"
        "  outputs = { self, nixpkgs, home-manager }: { };\n}\n")
    (root / "flake.lock").write_text(flake_lock(nodes))
    (root / "hosts").mkdir()
    (root / "hosts" / "configuration.nix").write_text(CONFIGURATION)
    (root / "home.nix").write_text(HOME)
    return root


def _check(root: Path, store: Path, cache: Path) -> dict:
    # --ignore NXA6: the release's support window (the real clock) is not this test's subject
    result = run_cli("check", "--format", "json", "--fail-on", "never", "--ignore", "NXA6", ".",
                     cwd=root,
                     env={"NIX_STORE_DIR": str(store), "NIXLS_ASSIST_CACHE_DIR": str(cache),
                          "NIXLS_ASSIST_CHANNELS": ""})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_uses_the_pinned_source_from_the_store(
        nixpkgs: tuple[str, Path], home_manager: tuple[str, Path], store: Path,
        tmp_path: Path) -> None:
    nodes = {"nixpkgs": lock_node("NixOS", "nixpkgs", "nixos-24.11", REV, nixpkgs[0]),
             "home-manager": lock_node("nix-community", "home-manager", "release-24.11", HM_REV,
                                       home_manager[0])}
    root = _workspace(tmp_path / "flake", nodes)
    report = _check(root, store, tmp_path / "cache")
    findings = [(f["file"], f["code"], f.get("option")) for f in report["findings"]]
    assert findings == [("hosts/configuration.nix", "NXA101", "services.frobnicator.colour")]
    [renamed] = report["findings"]
    assert "`services.frobnicator.color`" in renamed["message"]
    assert renamed["fixes"][0]["edits"][0]["newText"].endswith("color")
    reasons = {f["file"]: f["releaseReason"] for f in report["files"]}
    assert reasons["hosts/configuration.nix"].endswith(
        "(options of nixpkgs a0374025, from the Nix store)")
    assert reasons["home.nix"].endswith("(options of home-manager 9ebaa80a, from the Nix store)")

    listing = run_cli("index", "list", env={"NIXLS_ASSIST_CACHE_DIR": str(tmp_path / "cache")})
    assert "options of nixpkgs a0374025, from the Nix store" in listing.stdout
    assert "options of home-manager 9ebaa80a, from the Nix store" in listing.stdout


def test_check_without_the_store_falls_back_to_the_release_index(
        nixpkgs: tuple[str, Path], home_manager: tuple[str, Path], tmp_path: Path) -> None:
    nodes = {"nixpkgs": lock_node("NixOS", "nixpkgs", "nixos-24.11", REV, nixpkgs[0]),
             "home-manager": lock_node("nix-community", "home-manager", "release-24.11", HM_REV,
                                       home_manager[0])}
    root = _workspace(tmp_path / "flake", nodes)
    report = _check(root, tmp_path / "empty-store", tmp_path / "cache")
    codes = sorted((f["file"], f["code"]) for f in report["findings"])
    # no rename known, and home-manager 24.11's evaluated options lack programs.git.frobnicate
    assert ("hosts/configuration.nix", "NXA101") not in codes
    assert ("home.nix", "NXA104") in codes
    assert all("Nix store" not in f["releaseReason"] for f in report["files"])


def test_an_older_extractors_index_is_rebuilt(nixpkgs: tuple[str, Path], store: Path,
                                              tmp_path: Path) -> None:
    import sqlite3

    sri, _ = nixpkgs
    cache = tmp_path / "cache"
    assert open_store_index("nixos", "24.11", rev=REV, nar_hash=sri, store_dir=str(store),
                            cache_dir=cache) is not None
    [(_, _, path)] = source_indexes(cache)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '0' WHERE key = 'extractor'")
    conn.execute("UPDATE meta SET value = 'stale' WHERE key = 'source'")
    conn.commit()
    conn.close()
    index = open_store_index("nixos", "24.11", rev=REV, nar_hash=sri, store_dir=str(store),
                             cache_dir=cache)
    assert index is not None and index.source == "options of nixpkgs a0374025, from the Nix store"


def test_extract_cache_hit_writes_nothing(tmp_path: Path) -> None:
    """A warm run only reads the cache: a hit refreshes its `used` time once a day, not on
    every run (no write, no commit, no fsync)."""
    files = {**NIXPKGS, **{f"nixos/modules/services/s{i}.nix":
                           f"{{ lib, ... }}: {{ options.services.s{i}.enable = "
                           f"lib.mkEnableOption \"s{i}\"; }}\n" for i in range(3)}}
    tree = source_tree(write_tree(tmp_path / "rev1", files), rev="1" * 40)
    cache_file = tmp_path / "cache" / "extract-cache.sqlite"
    cache = ExtractCache(cache_file)
    extract_source(tree, cache)
    cache.close()
    used_before = _used_times(cache_file)
    cache = ExtractCache(cache_file)
    second = extract_source(tree, cache)
    assert (cache.hits, cache.misses) == (second.files, 0)
    cache.close()
    assert _used_times(cache_file) == used_before


def _used_times(cache_file: Path) -> list[float]:
    import sqlite3

    conn = sqlite3.connect(cache_file)
    try:
        return [row[0] for row in conn.execute("SELECT used FROM entries ORDER BY rel")]
    finally:
        conn.close()
