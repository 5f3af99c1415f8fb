"""Which inputs of a flake.lock `index fetch --from-lock` / `check --download` fetch, and from
where."""

from __future__ import annotations

from pathlib import Path

from nixls_assist.context.flake_lock import parse_flake_lock
from nixls_assist.context.locked_sources import locked_sources
from nixls_assist.context.release import archive_origin

NIXPKGS_REV = "50ab793786d9de88ee30ec4e4c24fb4236fc2674"
STABLE_REV = "d2faa1bbca1b1e4962ce7373c5b0879e5b12cef2"
HM_REV = "9ebaa80a227eaca9c87c53ed515ade013bc2bca9"
SRI = "sha256-rmhd9GmZz0WAtGWHkt1pKXOKqN1j8UFd+J5Ji1eJ+6g="


def _github(owner: str, repo: str, ref: str, rev: str) -> dict:
    return {"locked": {"narHash": SRI, "owner": owner, "repo": repo, "rev": rev,
                       "type": "github", "lastModified": 1734566935},
            "original": {"owner": owner, "repo": repo, "ref": ref, "type": "github"}}


def test_every_nixpkgs_and_home_manager_input_once() -> None:
    lock = parse_flake_lock({"version": 7, "root": "root", "nodes": {
        "root": {"inputs": {"nixpkgs": "nixpkgs", "nixpkgs-stable": "nixpkgs_2",
                            "home-manager": "home-manager", "flake-utils": "flake-utils",
                            "unstable": "nixpkgs"}},
        "nixpkgs": _github("NixOS", "nixpkgs", "nixos-unstable", NIXPKGS_REV),
        "nixpkgs_2": _github("NixOS", "nixpkgs", "nixos-24.11", STABLE_REV),
        "home-manager": {**_github("nix-community", "home-manager", "release-24.11", HM_REV),
                         "inputs": {"nixpkgs": ["nixpkgs"]}},
        "flake-utils": _github("numtide", "flake-utils", "main", "1" * 40),
    }}, Path("flake.lock"))
    found = [(s.input, s.system, s.pin.rev, s.pin.origin) for s in locked_sources(lock)]
    assert found == [
        ("home-manager", "home-manager", HM_REV, "github:nix-community/home-manager"),
        ("nixpkgs", "nixos", NIXPKGS_REV, "github:NixOS/nixpkgs"),
        ("nixpkgs-stable", "nixos", STABLE_REV, "github:NixOS/nixpkgs"),
    ]  # `unstable` follows the same node: fetched once


def test_a_fork_under_the_configured_input_name_counts() -> None:
    lock = parse_flake_lock({"version": 7, "root": "root", "nodes": {
        "root": {"inputs": {"pkgs": "pkgs"}},
        "pkgs": _github("acme", "nixpkgs-fork", "acme-24.11", NIXPKGS_REV),
    }}, Path("flake.lock"))
    assert locked_sources(lock) == []
    [source] = locked_sources(lock, nixpkgs_input="pkgs")
    assert (source.system, source.pin.origin) == ("nixos", "github:acme/nixpkgs-fork")


def test_archive_origin() -> None:
    assert archive_origin({"type": "github", "owner": "NixOS", "repo": "nixpkgs"}) == \
        "github:NixOS/nixpkgs"
    url = "https://releases.nixos.org/nixos/24.11/nixos-24.11.711815.2d9e4457f8e8/nixexprs.tar.xz"
    assert archive_origin({"type": "tarball", "url": url}) == url
    assert archive_origin({"type": "git", "url": "https://github.com/NixOS/nixpkgs.git"}) == \
        "github:NixOS/nixpkgs"
    assert archive_origin({"type": "git", "url": "https://git.example/nixpkgs"}) is None
    assert archive_origin({"type": "path", "path": "/src/nixpkgs"}) is None
