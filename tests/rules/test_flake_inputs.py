"""NXA501/502 beyond the snapshots: every fix of a flake applied together still parses with
Nix's own parser, the fixed flake re-checks clean, and sources match across spellings."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from nixls_assist.context.flake_sources import source_of_lock_entry, source_of_url
from nixls_assist.context.resolver import ContextResolver
from nixls_assist.edits import apply_edits
from nixls_assist.findings import Applicability
from nixls_assist.rules.engine import Selection, check
from nixls_assist.syntax.loading import load_document

FIXTURES = Path(__file__).parent / "fixtures"
NIX_INSTANTIATE = shutil.which("nix-instantiate")


def _check_flake(directory: Path, code: str = "NXA501"):  # type: ignore[no-untyped-def]
    path = directory / "flake.nix"
    doc = load_document(path.read_bytes(), str(path))
    ctx = ContextResolver().context_for(doc, path)
    return doc, ctx, check(doc, ctx, None, Selection(select=(code,)))


def _nix_parses(path: Path) -> None:
    if NIX_INSTANTIATE is None:
        pytest.skip("nix-instantiate is not installed")
    result = subprocess.run([NIX_INSTANTIATE, "--parse", str(path)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("case", ["desktop-hyprland", "nixpkgs-fork"])
def test_all_fixes_compose_parse_and_recheck_clean(case: str, tmp_path: Path) -> None:
    work = tmp_path / case
    shutil.copytree(FIXTURES / "NXA501" / case, work)
    doc, _ctx, findings = _check_flake(work)
    assert findings
    edits = [edit for f in findings for fix in f.fixes for edit in fix.edits]
    assert all(edit.file is None for edit in edits)
    (work / "flake.nix").write_bytes(apply_edits(doc.source, edits))
    _nix_parses(work / "flake.nix")
    _, _, again = _check_flake(work)
    assert again == []


def test_desktop_fix_is_written_in_the_files_style(tmp_path: Path) -> None:
    work = tmp_path / "desktop"
    shutil.copytree(FIXTURES / "NXA501" / "desktop-hyprland", work)
    doc, _, findings = _check_flake(work)
    fixed = apply_edits(doc.source, [e for f in findings for x in f.fixes for e in x.edits])
    text = fixed.decode()
    assert (
        '    hyprland = {\n'
        '      url = "github:hyprwm/Hyprland";\n'
        '      inputs.nixpkgs.follows = "nixpkgs";\n'
        '      inputs.systems.follows = "systems";\n'
        '    };\n'
    ) in text
    assert (
        '    nixvim.url = "github:nix-community/nixvim"; # neovim configured in Nix\n'
        '    nixvim.inputs.nixpkgs.follows = "nixpkgs";\n'
    ) in text
    severities = {(f.message.split("`")[3], f.severity.label) for f in findings}
    assert severities == {("nixpkgs", "warning"), ("systems", "info"), ("nixpkgs", "info")}
    safety = {(f.message.split("`")[3], x.applicability) for f in findings for x in f.fixes}
    # Only `systems`, locked at the same revision as the root's, follows safely: hyprland's
    # older nixos-unstable and nixvim's nixpkgs-unstable would build against another nixpkgs.
    assert sorted(safety) == sorted({("systems", Applicability.SAFE),
                                     ("nixpkgs", Applicability.UNSAFE)})
    assert sum(x.applicability is Applicability.UNSAFE for f in findings for x in f.fixes) == 2


def test_follows_is_safe_only_at_the_same_revision() -> None:
    _, _, findings = _check_flake(FIXTURES / "NXA501" / "same-revision-nixpkgs")
    by_input = {f.message.split("`")[1]: f for f in findings}
    same, older = by_input["sops-nix"], by_input["rust-overlay"]
    assert [x.applicability for x in same.fixes] == [Applicability.SAFE]
    assert "no extra download today" in same.message
    assert "drift apart at the next `nix flake update`" in same.message
    assert "brings its own" not in same.message
    # The overlay's nixpkgs is the same branch at another revision: following changes
    # which nixpkgs the overlay builds against, so the fix is never applied by --fix.
    assert [x.applicability for x in older.fixes] == [Applicability.UNSAFE]
    assert "brings its own `nixpkgs` (locked 2025-04-25, nixos-25.05)" in older.message
    assert same.severity.label == older.severity.label == "warning"


def test_server_flake_where_everything_follows_is_clean() -> None:
    _, _, findings = _check_flake(FIXTURES / "NXA501" / "server-all-follow", "NXA5")
    assert findings == []


def test_fixture_flakes_parse_with_nix() -> None:
    for flake in sorted(FIXTURES.glob("NXA50*/*/flake.nix")):
        _nix_parses(flake)


def test_one_line_input_attrset_gets_an_inline_binding(tmp_path: Path) -> None:
    work = tmp_path / "oneline"
    shutil.copytree(FIXTURES / "NXA501" / "desktop-hyprland", work)
    flake = work / "flake.nix"
    text = flake.read_text().replace(
        '    hyprland = {\n      url = "github:hyprwm/Hyprland";\n    };',
        '    hyprland = { url = "github:hyprwm/Hyprland"; };',
    )
    flake.write_text(text)
    doc, _, findings = _check_flake(work)
    fixed = apply_edits(doc.source, [e for f in findings for x in f.fixes for e in x.edits])
    assert ('hyprland = { url = "github:hyprwm/Hyprland"; inputs.nixpkgs.follows = "nixpkgs"; '
            'inputs.systems.follows = "systems"; };') in fixed.decode()
    flake.write_bytes(fixed)
    _nix_parses(flake)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("github:NixOS/nixpkgs/nixos-24.11", ("github:nixos/nixpkgs", "nixos-24.11")),
        ("git+https://github.com/NixOS/nixpkgs?ref=nixos-24.11",
         ("github:nixos/nixpkgs", "nixos-24.11")),
        ("git+https://github.com/NixOS/nixpkgs.git?ref=nixos-24.11",
         ("github:nixos/nixpkgs", "nixos-24.11")),
        ("https://github.com/NixOS/nixpkgs/archive/nixos-24.11.tar.gz",
         ("github:nixos/nixpkgs", "nixos-24.11")),
        ("https://channels.nixos.org/nixos-24.11/nixexprs.tar.xz",
         ("github:nixos/nixpkgs", "nixos-24.11")),
        ("https://nixos.org/channels/nixos-24.11/nixexprs.tar.xz",
         ("github:nixos/nixpkgs", "nixos-24.11")),
        ("https://flakehub.com/f/NixOS/nixpkgs/0.2411.*.tar.gz",
         ("github:nixos/nixpkgs", "nixos-24.11")),
        ("flake:nixpkgs", ("github:nixos/nixpkgs", "nixpkgs-unstable")),
        ("nixpkgs", ("github:nixos/nixpkgs", "nixpkgs-unstable")),
        ("github:rycee/home-manager/release-24.11",
         ("github:nix-community/home-manager", "release-24.11")),
        ("github:nix-community/home-manager/release-24.11",
         ("github:nix-community/home-manager", "release-24.11")),
        ("github:cachix/pre-commit-hooks.nix", ("github:cachix/git-hooks.nix", None)),
    ],
)
def test_sources_match_across_spellings(written: str, expected: tuple[str, str | None]) -> None:
    source = source_of_url(written)
    assert source is not None
    assert (source.repo, source.ref) == expected


def test_lock_entries_and_pinned_revisions() -> None:
    rev = "0237f33959662892523e4bb67e26e8302b5dd1b4"
    pinned = source_of_url(f"github:NixOS/nixpkgs/{rev}")
    assert pinned is not None and pinned.rev == rev and pinned.ref is None
    git = source_of_lock_entry({"type": "git", "url": "https://github.com/NixOS/nixpkgs",
                                "ref": "nixos-unstable"})
    assert git is not None and (git.repo, git.ref) == ("github:nixos/nixpkgs", "nixos-unstable")
    tarball = source_of_lock_entry({
        "type": "tarball",
        "url": "https://api.flakehub.com/f/pinned/NixOS/nixpkgs/0.2505.808723%2Brev-abc/0197.tar.gz",
    })
    assert tarball is not None and tarball.repo == "github:nixos/nixpkgs"
    assert source_of_url("path:./vendor/flake") is None
    fork = source_of_url("github:acme-corp/nixpkgs/acme-24.11")
    assert fork is not None and not fork.is_nixpkgs
