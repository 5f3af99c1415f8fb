"""Declaring packages: the list edit in the list's style, the cross-file NXA401 fix, and
reading profile manifests in their real formats."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from nixls_assist.context.resolver import ContextResolver
from nixls_assist.edits import apply_edits
from nixls_assist.features.declare_package import (
    WorkspaceFile,
    declare_fix,
    declare_profile_fix,
    declared_in,
    plan_declaration,
)
from nixls_assist.features.profiles import (
    ProfileError,
    parse_manifest_json,
    parse_manifest_nix,
    read_profile,
)
from nixls_assist.findings import Applicability
from nixls_assist.rules.engine import Selection, check
from nixls_assist.syntax.document import parse
from nixls_assist.syntax.shell_installs import PackageRef

PROFILES = Path(__file__).parent.parent / "cli" / "fixtures" / "profiles"
NIX_INSTANTIATE = shutil.which("nix-instantiate")


def _parses(source: bytes, tmp_path: Path) -> None:
    if NIX_INSTANTIATE is None:
        return
    path = tmp_path / "parsed.nix"
    path.write_bytes(source)
    result = subprocess.run([NIX_INSTANTIATE, "--parse", str(path)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def _workspace(tmp_path: Path, files: dict[str, str]) -> list[WorkspaceFile]:
    resolver = ContextResolver()
    out = []
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for name in files:
        path = (tmp_path / name).resolve()
        doc = parse(path.read_bytes(), str(path))
        out.append(WorkspaceFile(path, doc, resolver.context_for(doc, path).kind))
    return out


def _apply(item: WorkspaceFile, plan_edit) -> bytes:  # type: ignore[no-untyped-def]
    return apply_edits(item.doc.source, [plan_edit])


MODULE_WITH = """{ pkgs, ... }:
{
  environment.systemPackages = with pkgs; [
    git
    htop # process viewer
  ];
}
"""
MODULE_PLAIN = """{ pkgs, ... }:
{
  environment.systemPackages = [ pkgs.git ];
}
"""


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (MODULE_WITH, "    htop # process viewer\n    ripgrep\n    python3Packages.ipython\n  ];"),
        (MODULE_PLAIN, "[ pkgs.git pkgs.ripgrep pkgs.python3Packages.ipython ];"),
        ("{ pkgs, ... }:\n{\n  environment.systemPackages = [ ];\n}\n",
         "[ pkgs.ripgrep pkgs.git pkgs.python3Packages.ipython ];"),
        ("{ pkgs, lib, ... }:\n{\n  environment.systemPackages = lib.mkAfter (with pkgs; [\n"
         "    git\n  ]);\n}\n", "    git\n    ripgrep\n    python3Packages.ipython\n  ]);"),
    ],
)
def test_list_style_is_kept_and_nothing_is_duplicated(
    source: str, expected: str, tmp_path: Path
) -> None:
    files = _workspace(tmp_path, {"configuration.nix": source})
    plan = plan_declaration(files, "environment.systemPackages",
                            ["ripgrep", "git", "python3Packages.ipython", "ripgrep"])
    assert plan is not None and plan.edit is not None
    had_git = "git" in source
    assert plan.added == ("ripgrep", "python3Packages.ipython") if had_git else (
        "ripgrep", "git", "python3Packages.ipython")
    fixed = _apply(files[0], plan.edit)
    assert expected in fixed.decode()
    assert fixed.decode().count("git") == max(source.count("git"), 1)
    _parses(fixed, tmp_path)
    again = plan_declaration(
        [WorkspaceFile(files[0].path, parse(fixed), files[0].kind)],
        "environment.systemPackages", ["ripgrep", "git"])
    assert again is not None and again.edit is None and again.added == ()


def test_list_is_created_in_the_hosts_main_module(tmp_path: Path) -> None:
    files = _workspace(tmp_path, {
        "flake.nix": FLAKE,
        "hosts/box/configuration.nix": "{ config, pkgs, ... }:\n{\n"
                                       "  networking.hostName = \"box\";\n}\n",
    })
    plan = plan_declaration(files, "environment.systemPackages", ["ripgrep"])
    assert plan is not None and plan.creates_list and plan.edit is not None
    assert plan.file.name == "configuration.nix"
    fixed = _apply(files[1], plan.edit).decode()
    assert fixed == ("{ config, pkgs, ... }:\n{\n  networking.hostName = \"box\";\n"
                     "  environment.systemPackages = [ pkgs.ripgrep ];\n}\n")


FLAKE = """{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.box = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./hosts/box/configuration.nix ./modules/bootstrap.nix ];
    };
  };
}
"""
BOOTSTRAP = """{ lib, ... }:
{
  systemd.services.bootstrap = {
    wantedBy = [ "multi-user.target" ];
    script = ''
      nix-env -iA nixos.ripgrep nixos.git
    '';
  };
}
"""
HOST = """{ config, pkgs, ... }:
{
  environment.systemPackages = with pkgs; [
    git
    vim
  ];
  system.stateVersion = "24.11";
}
"""


def test_cross_file_fix_declares_in_the_module_with_the_list(tmp_path: Path) -> None:
    files = _workspace(tmp_path, {"flake.nix": FLAKE, "hosts/box/configuration.nix": HOST,
                                  "modules/bootstrap.nix": BOOTSTRAP})
    bootstrap = files[2]
    ctx = ContextResolver().context_for(bootstrap.doc, bootstrap.path)
    [finding] = check(bootstrap.doc, ctx, None, Selection(select=("NXA401",)))
    assert [f.applicability for f in finding.fixes] == [Applicability.DISPLAY_ONLY]
    fix = declare_fix(bootstrap.doc, ctx, finding, files)
    assert fix is not None and fix.applicability is Applicability.SAFE
    assert fix.title == ("Declare `ripgrep`, `git` in `environment.systemPackages` "
                         "(configuration.nix) and comment out the command")
    host_edits = [e for e in fix.edits if e.file is not None]
    own_edits = [e for e in fix.edits if e.file is None]
    assert [Path(e.file) for e in host_edits] == [files[1].path]  # type: ignore[arg-type]
    host = apply_edits(files[1].doc.source, host_edits).decode()
    assert "    git\n    vim\n    ripgrep\n  ];" in host  # git already declared: not twice
    fixed = apply_edits(bootstrap.doc.source, own_edits)
    assert b"      # nix-env -iA nixos.ripgrep nixos.git\n" in fixed
    _parses(host.encode(), tmp_path)
    _parses(fixed, tmp_path)
    refixed = parse(fixed, str(bootstrap.path))
    assert check(refixed, ctx, None, Selection(select=("NXA401",))) == []


def test_same_file_findings_get_no_second_fix(tmp_path: Path) -> None:
    source = HOST.replace('  system.stateVersion = "24.11";\n',
                          '  system.activationScripts.x = "nix-env -iA nixos.jq";\n')
    files = _workspace(tmp_path, {"configuration.nix": source})
    ctx = ContextResolver().context_for(files[0].doc, files[0].path)
    [finding] = check(files[0].doc, ctx, None, Selection(select=("NXA401",)))
    assert finding.fixes[0].edits
    assert declare_fix(files[0].doc, ctx, finding, files) is None


def test_profile_code_action_declares_what_the_profile_adds(tmp_path: Path) -> None:
    files = _workspace(tmp_path, {"configuration.nix": MODULE_WITH})
    doc = files[0].doc
    offset = doc.source.index(b"systemPackages")
    entries = parse_manifest_json((PROFILES / "manifest-v3.json").read_bytes())
    fix = declare_profile_fix(doc, offset, [e.package for e in entries], declared_in(files))
    assert fix is not None
    assert fix.title == "Declare 3 packages installed imperatively"  # hello: a store path
    fixed = apply_edits(doc.source, fix.edits).decode()
    assert "    htop # process viewer\n    ripgrep\n    neovim\n    jq\n  ];" in fixed
    assert declare_profile_fix(doc, 0, [PackageRef("x", "x", True)], set()) is None


def test_manifest_json_v2() -> None:
    entries = parse_manifest_json((PROFILES / "manifest-v2.json").read_bytes())
    assert [(e.name, e.package.attr, e.package.exact) for e in entries] == [
        ("ripgrep", "ripgrep", True),
        ("yt-dlp", "yt-dlp", True),
        ("python3Packages.ipython", "python3Packages.ipython", True),
        ("helix", None, False),
        ("bat", "bat", True),
    ]
    assert entries[3].source == "github:helix-editor/helix"


def test_manifest_json_v3_named_elements() -> None:
    entries = parse_manifest_json((PROFILES / "manifest-v3.json").read_bytes())
    assert [(e.name, e.package.attr, e.handle) for e in entries] == [
        ("ripgrep", "ripgrep", "ripgrep"),
        ("neovim", "neovim", "neovim"),
        ("hello", None, "hello"),
        ("jq", "jq", "jq"),
    ]


def test_manifest_nix_is_read_without_evaluating(tmp_path: Path) -> None:
    entries = read_profile(PROFILES / "manifest.nix")
    assert [(e.name, e.package.attr, e.package.exact) for e in entries] == [
        ("ripgrep-14.1.1", "ripgrep", False),
        ("firefox-133.0", "firefox", False),
        ("cmus-2.12.0", "cmus", False),
    ]
    profile = tmp_path / "profile-42-link"
    profile.mkdir()
    shutil.copy(PROFILES / "manifest.nix", profile / "manifest.nix")
    assert read_profile(profile) == entries


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"version": 2, "elements": [', "not valid JSON"),
        (b'{"version": 9, "elements": []}', "unknown manifest version 9"),
        (b'{"version": 2}', "no `elements`"),
    ],
)
def test_bad_manifests_are_clear_errors(data: bytes, message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        parse_manifest_json(data, "manifest.json")


def test_a_directory_without_a_manifest_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match=r"no manifest\.json or manifest\.nix"):
        read_profile(tmp_path)
    with pytest.raises(ProfileError, match="expected a list"):
        parse_manifest_nix(b"{ }")
