"""Release detection from flake.lock inputs, refs, URLs and dates."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from nixls_assist.context.flake_lock import LockError, parse_flake_lock, read_flake_lock
from nixls_assist.context.release import (
    UNSTABLE,
    normalise_release,
    pin_from_node,
    release_from_ref,
    release_from_url,
    releases_after,
)
from nixls_assist.context.resolver import ContextResolver, ContextSettings
from nixls_assist.syntax import parse
from tests.conftest import REPO


@pytest.mark.parametrize(
    ("ref", "release"),
    [
        ("nixos-24.11", "24.11"),
        ("nixos-24.11-small", "24.11"),
        ("release-24.11", "24.11"),
        ("nixpkgs-24.11-darwin", "24.11"),
        ("nixos-unstable", UNSTABLE),
        ("nixpkgs-unstable", UNSTABLE),
        ("master", UNSTABLE),
        ("my-feature-branch", None),
        (None, None),
    ],
)
def test_release_from_ref(ref: str | None, release: str | None) -> None:
    assert release_from_ref(ref) == release


@pytest.mark.parametrize(
    ("url", "release"),
    [
        ("https://channels.nixos.org/nixos-25.11/nixexprs.tar.xz", "25.11"),
        ("https://github.com/NixOS/nixpkgs/archive/nixos-24.05.tar.gz", "24.05"),
        ("https://flakehub.com/f/NixOS/nixpkgs/0.2411.717296.tar.gz", "24.11"),
        ("https://nixos.org/channels/nixos-unstable/nixexprs.tar.xz", UNSTABLE),
        ("https://example.org/src.tar.gz", None),
    ],
)
def test_release_from_url(url: str, release: str | None) -> None:
    assert release_from_url(url) == release


def _lock(nodes: dict, tmp_path: Path) -> Path:
    path = tmp_path / "flake.lock"
    path.write_text(json.dumps({"nodes": nodes, "root": "root", "version": 7}))
    return path


def _github(owner: str, repo: str, ref: str | None, last_modified: int = 1736549401) -> dict:
    original = {"owner": owner, "repo": repo, "type": "github"}
    if ref:
        original["ref"] = ref
    return {
        "locked": {"lastModified": last_modified, "narHash": "sha256-" + "A" * 43 + "=",
                   "owner": owner, "repo": repo, "rev": "a" * 40, "type": "github"},
        "original": original,
    }


def test_fork_is_judged_by_lock_date(tmp_path: Path) -> None:
    lock = read_flake_lock(_lock({
        "root": {"inputs": {"nixpkgs": "nixpkgs"}},
        "nixpkgs": _github("Mic92", "nixpkgs", "main", last_modified=1718500000),
    }, tmp_path))
    pin = pin_from_node(lock.resolve(["nixpkgs"]), "nixpkgs", "flake.lock")
    assert pin.release == UNSTABLE
    assert pin.date == dt.date(2024, 6, 16)
    assert "lock date" in pin.reason


def test_follows_is_resolved(tmp_path: Path) -> None:
    lock = read_flake_lock(_lock({
        "root": {"inputs": {"nixpkgs": "nixpkgs", "home-manager": "home-manager",
                            "stable": ["nixpkgs"]}},
        "nixpkgs": _github("NixOS", "nixpkgs", "nixos-24.11"),
        "home-manager": {**_github("nix-community", "home-manager", "release-24.11"),
                         "inputs": {"nixpkgs": ["nixpkgs"]}},
    }, tmp_path))
    assert lock.resolve(["stable"]).name == "nixpkgs"
    assert lock.resolve(["home-manager", "nixpkgs"]).name == "nixpkgs"


@pytest.mark.parametrize(
    "text",
    ["not json", json.dumps({"version": 99, "nodes": {}, "root": "root"}), "[]",
     json.dumps({"version": 7, "nodes": {"x": {}}, "root": "root"})],
)
def test_broken_locks_raise_a_clear_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "flake.lock"
    path.write_text(text)
    with pytest.raises(LockError) as info:
        read_flake_lock(path)
    assert str(path) in str(info.value)


def test_parse_rejects_non_object() -> None:
    with pytest.raises(LockError):
        parse_flake_lock("x", Path("flake.lock"))


def test_resolver_reads_the_example_fleet() -> None:
    path = REPO / "examples/fleet/hosts/laptop/configuration.nix"
    ctx = ContextResolver().context_for(parse(path.read_bytes()), path)
    assert ctx.nixos is not None and ctx.nixos.release == "24.11"
    assert ctx.nixos.ref == "nixos-24.11"
    assert ctx.home_manager is not None and ctx.home_manager.release == "24.11"
    assert ctx.lock_path == (REPO / "examples/fleet/flake.lock").resolve()


def test_release_override_wins() -> None:
    path = REPO / "examples/fleet/hosts/laptop/configuration.nix"
    resolver = ContextResolver(ContextSettings(release="24.05"))
    ctx = resolver.context_for(parse(path.read_bytes()), path)
    assert ctx.nixos.release == "24.05" and ctx.home_manager.release == "24.05"


def test_broken_lock_becomes_a_notice(tmp_path: Path) -> None:
    (tmp_path / "flake.lock").write_text("{ broken")
    module = tmp_path / "configuration.nix"
    module.write_text("{ networking.hostName = \"x\"; }")
    ctx = ContextResolver().context_for(parse(module.read_bytes()), module)
    assert ctx.nixos is None
    assert any("flake.lock" in notice for notice in ctx.notices)


@pytest.mark.parametrize(("text", "expected"),
                         [("24.11", "24.11"), ("nixos-24.05", "24.05"), ("unstable", UNSTABLE),
                          ("banana", None), ("2411", None)])
def test_normalise_release(text: str, expected: str | None) -> None:
    assert normalise_release(text) == expected


def test_releases_after_lists_the_released_ones_then_unstable() -> None:
    today = dt.date(2025, 12, 4)
    assert releases_after("24.05", today) == ["24.11", "25.05", "25.11", "unstable"]
    assert releases_after("25.11", today) == ["unstable"]
    assert releases_after("25.05", dt.date(2025, 10, 1)) == ["unstable"]  # 25.11 not out yet
    assert releases_after("unstable", today) == ["unstable"]
    assert releases_after(None, today) == ["unstable"]
