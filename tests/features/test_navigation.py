"""features/symbols.py, definitions.py and declarations.py on inline Nix with a `$0` cursor."""

from __future__ import annotations

from pathlib import Path

from nixls_assist.context import FileKind
from nixls_assist.context.resolver import ContextResolver
from nixls_assist.features.declarations import declarations_of
from nixls_assist.features.declare_package import WorkspaceFile
from nixls_assist.features.definitions import (
    definitions,
    option_at,
    option_symbols,
    parse_option,
    rename_plan,
)
from nixls_assist.features.symbols import document_symbols
from nixls_assist.syntax.document import parse


def _at(text: str):
    offset = text.index("$0")
    doc = parse(text.replace("$0", ""))
    return doc, ContextResolver().context_for(doc, None), offset


def _outline(symbols, depth=0) -> list[str]:
    lines = []
    for s in symbols:
        lines.append("  " * depth + f"{s.name} [{s.kind.value}]")
        lines += _outline(s.children, depth + 1)
    return lines


def _file(name: str, text: str, kind: FileKind = FileKind.NIXOS) -> WorkspaceFile:
    return WorkspaceFile(Path(f"/ws/{name}"), parse(text, f"/ws/{name}"), kind)


MODULE = """{ config, lib, pkgs, ... }:
let
  domain = "example.org";
in {
  services.nginx = {
    enable = true;
    virtualHosts."example.org".forceSSL = true;
  };
  home-manager.users.alice = { ... }: {
    programs.git.enable = true;
  };
}
"""


def test_outline_nests_option_definitions_and_let_bindings():
    doc = parse(MODULE)
    ctx = ContextResolver().context_for(doc, None)
    assert _outline(document_symbols(doc, ctx)) == [
        "domain [variable]",
        "services [namespace]",
        "  nginx [namespace]",
        "    enable [option]",
        "    virtualHosts [namespace]",
        '      "example.org" [namespace]',
        "        forceSSL [option]",
        "home-manager [namespace]",
        "  users [namespace]",
        "    alice [namespace]",
        "      programs [namespace]",
        "        git [namespace]",
        "          enable [option]",
    ]


def test_outline_of_a_flake_lists_inputs_outputs_and_inline_modules():
    text = """{
  description = "hosts";
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.kestrel = nixpkgs.lib.nixosSystem {
      modules = [ { networking.hostName = "kestrel"; } ];
    };
  };
}
"""
    doc = parse(text, "/ws/flake.nix")
    ctx = ContextResolver().context_for(doc, Path("/ws/flake.nix"))
    assert ctx.kind is FileKind.FLAKE
    assert _outline(document_symbols(doc, ctx)) == [
        "description [field]",
        "inputs [field]",
        "  nixpkgs [field]",
        "    url [field]",
        "outputs [field]",
        "  nixosConfigurations [field]",
        "    kestrel [field]",
        "      networking [namespace]",
        "        hostName [option]",
    ]


def test_option_at_cursor_knows_the_path_and_the_option_set():
    doc, ctx, offset = _at("{ config, pkgs, ... }:\n{\n  home-manager.users.alice = {\n"
                           "    programs.g$0it.enable = true;\n  };\n}\n")
    at = option_at(doc, ctx, offset)
    assert at is not None and at.path == ("programs", "git") and at.system == "home-manager"
    doc, ctx, offset = _at("{\n  services.openssh = {\n    settings.Permit$0RootLogin = \"no\";\n"
                           "  };\n}\n")
    at = option_at(doc, ctx, offset)
    assert at is not None and ".".join(at.path) == "services.openssh.settings.PermitRootLogin"
    doc, ctx, offset = _at("{ ... }:\nlet\n  x$0 = 1;\nin { }\n")
    assert option_at(doc, ctx, offset) is None


def test_definitions_across_files_split_and_nested_paths():
    files = [
        _file("a.nix", "{\n  networking.firewall.enable = false;\n}\n"),
        _file("b.nix", "{ lib, ... }:\n{\n  networking.firewall = lib.mkIf true {\n"
                       "    enable = lib.mkForce true;\n    allowedTCPPorts = [ 22 ];\n  };\n}\n"),
        _file("c.nix", "{\n  networking.hostName = \"osprey\";\n}\n"),
        _file("home.nix", "{\n  networking.firewall.enable = true;\n}\n", FileKind.HOME_MANAGER),
    ]
    found = definitions(files, parse_option("networking.firewall.enable"), "nixos")
    assert [(d.file.name, d.doc.span_text(d.span)) for d in found] == [
        ("a.nix", "networking.firewall.enable"), ("b.nix", "enable")]
    # a namespace: the bindings that write its last name
    found = definitions(files, parse_option("networking.firewall"))
    assert [(d.file.name, d.option) for d in found] == [
        ("a.nix", "networking.firewall.enable"), ("b.nix", "networking.firewall"),
        ("home.nix", "networking.firewall.enable")]


def test_definitions_match_placeholders():
    files = [_file("users.nix", "{\n  users.users.alice.isNormalUser = true;\n"
                                "  users.users.bob = { isNormalUser = true; };\n}\n")]
    found = definitions(files, parse_option("users.users.<name>.isNormalUser"))
    assert [d.option for d in found] == ["users.users.alice.isNormalUser",
                                         "users.users.bob.isNormalUser"]


def test_workspace_symbols_are_defined_leaves_matching_every_word():
    files = [_file("a.nix", MODULE)]
    names = [s.option for s in option_symbols(files, "nginx ssl")]
    assert names == ['services.nginx.virtualHosts."example.org".forceSSL']
    assert [s.system for s in option_symbols(files, "git")] == ["home-manager"]


def _apply(doc, edits) -> str:
    source = doc.source
    for edit in sorted(edits, key=lambda e: e.span.start, reverse=True):
        source = source[: edit.span.start] + edit.new_text.encode() + source[edit.span.end :]
    return source.decode()


def test_rename_moves_definitions_with_minimal_edits():
    files = [
        _file("a.nix", "{\n  hardware.opengl.enable = true; # GPU\n}\n"),
        _file("b.nix", "{\n  hardware.opengl = {\n    enable = true;\n  };\n}\n"),
    ]
    plan = rename_plan(files, ("hardware", "opengl", "enable"),
                       ("hardware", "graphics", "enable"), "nixos")
    assert not plan.skipped
    out = {path.name: _apply(doc, edits) for path, (doc, edits) in plan.edits.items()}
    assert out == {"a.nix": "{\n  hardware.graphics.enable = true; # GPU\n}\n",
                   "b.nix": "{\n  hardware.graphics = {\n    enable = true;\n  };\n}\n"}


def test_rename_refuses_a_split_path_shared_with_other_options():
    files = [_file("b.nix", "{\n  hardware.opengl = {\n    enable = true;\n"
                            "    driSupport32Bit = true;\n  };\n}\n")]
    plan = rename_plan(files, ("hardware", "opengl", "enable"),
                       ("hardware", "graphics", "enable"), "nixos")
    assert not plan.edits and [d.option for d in plan.skipped] == ["hardware.opengl.enable"]


def test_declaration_in_the_users_own_module(tmp_path):
    (tmp_path / "flake.nix").write_text("{ outputs = _: { }; }\n")
    (tmp_path / "modules").mkdir()
    declaring = tmp_path / "modules" / "backup.nix"
    declaring.write_text("{ lib, config, ... }:\n{\n  options.my.backup = {\n"
                         "    enable = lib.mkEnableOption \"backups\";\n"
                         "    target = lib.mkOption {\n      type = lib.types.str;\n    };\n"
                         "  };\n}\n")
    host = tmp_path / "host.nix"
    text = "{ config, pkgs, ... }:\n{\n  my.backup.tar$0get = \"/srv\";\n}\n"
    host.write_text(text.replace("$0", ""))
    doc = parse(text.replace("$0", ""), str(host))
    resolver = ContextResolver()
    resolver.prepare(host)
    ctx = resolver.context_for(doc, host)
    at = option_at(doc, ctx, text.index("$0"))
    assert at is not None
    found = declarations_of(at.path, at.system, ctx, None)
    assert [(d.file, d.line, d.option) for d in found] == [(declaring, 4, "my.backup.target")]
