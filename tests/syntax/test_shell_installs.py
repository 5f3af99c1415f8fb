"""The shell scanner behind NXA401: what counts as an imperative install, and what not."""

from __future__ import annotations

import pytest

from nixls_assist.syntax.shell_installs import find_installs

FLAGGED = [
    ("nix-env -iA nixos.ripgrep", "nix-env -iA", [("ripgrep", True)]),
    ("nix-env -iA nixpkgs.git nixpkgs.python3Packages.requests", "nix-env -iA",
     [("git", True), ("python3Packages.requests", True)]),
    ("nix-env -i firefox", "nix-env -i", [("firefox", False)]),
    ("nix-env -i hello-2.12.1", "nix-env -i", [("hello", False)]),
    ("nix-env --install --attr nixos.htop", "nix-env -iA", [("htop", True)]),
    ("nix-env -f '<nixpkgs>' -iA jq", "nix-env -iA", [("jq", True)]),
    ("nix-env -iA unstable.zellij", "nix-env -iA", [("zellij", False)]),
    ("sudo -u alice nix-env -iA nixos.tmux", "nix-env -iA", [("tmux", True)]),
    ("$DRY_RUN_CMD nix-env -iA nixpkgs.tldr", "nix-env -iA", [("tldr", True)]),
    ("run /run/current-system/sw/bin/nix-env -iA nixos.fd", "nix-env -iA", [("fd", True)]),
    ("nix profile install nixpkgs#bat", "nix profile install", [("bat", True)]),
    ("nix profile install github:NixOS/nixpkgs/nixos-24.11#fd", "nix profile install",
     [("fd", True)]),
    ("nix profile install nixpkgs#legacyPackages.x86_64-linux.eza", "nix profile install",
     [("eza", True)]),
    ("nix profile add nixpkgs#btop", "nix profile add", [("btop", True)]),
    ("nix profile install github:helix-editor/helix", "nix profile install", []),
    ("nix profile install github:helix-editor/helix#default", "nix profile install",
     [(None, False)]),
    ("test -x /bin/rg || nix-env -iA nixos.ripgrep", "nix-env -iA", [("ripgrep", True)]),
    ("nix-env -iA nixos.\x01\x01\x01\x01", "nix-env -iA", []),
]
NOT_FLAGGED = [
    "nix-env --delete-generations old",
    "nix-env --delete-generations 30d",
    "nix-env -q",
    "nix-env -qaP firefox",
    "nix-env --list-generations",
    "nix-env -e firefox",
    "nix-env --uninstall firefox",
    "nix-env -u",
    "nix profile list",
    "nix profile remove ripgrep",
    "nix profile upgrade --all",
    "# nix-env -iA nixos.ripgrep",
    "echo 'nix-env -iA nixos.ripgrep'",
    'echo "then run: nix profile install nixpkgs#bat"',
    "nix-env -i -E 'f: (import <nixpkgs> {}).hello'",
    "nix-build '<nixpkgs>' -A hello",
]


@pytest.mark.parametrize(("line", "command", "packages"), FLAGGED)
def test_installs_are_found(line: str, command: str, packages: list) -> None:  # type: ignore[type-arg]
    [install] = find_installs(line)
    assert install.command == command
    assert [(p.attr, p.exact) for p in install.packages] == packages


@pytest.mark.parametrize("line", NOT_FLAGGED)
def test_queries_comments_and_text_are_not_installs(line: str) -> None:
    assert find_installs(line) == []


def test_offsets_and_standalone_lines() -> None:
    text = "set -e\n  sudo nix-env -iA nixos.git\nfoo && nix-env -iA nixos.vim\n"
    first, second = find_installs(text)
    assert text[first.start : first.end] == "nix-env -iA nixos.git"
    assert first.alone and text[first.line_start :].startswith("sudo")
    assert text[second.start : second.end] == "nix-env -iA nixos.vim"
    assert not second.alone


def test_line_continuations() -> None:
    [install] = find_installs("nix-env -iA \\\n  nixos.git \\\n  nixos.vim\n")
    assert [p.attr for p in install.packages] == ["git", "vim"]
