"""syntax/cursor.py, features/completion.py and features/hover.py on inline Nix with `$0`."""

from __future__ import annotations

from pathlib import Path

import pytest

from nixls_assist.analysis.indexes import IndexProvider
from nixls_assist.context.resolver import ContextResolver
from nixls_assist.features.completion import complete_at
from nixls_assist.features.hover import hover_at
from nixls_assist.features.skill_references import load_references, split_sections
from nixls_assist.syntax.cursor import attrpath_at
from nixls_assist.syntax.document import parse
from tests.conftest import SHARED

FLAKE = Path(__file__).resolve().parent.parent / "e2e" / "workspaces" / "flake-2411"


def _at(text: str):
    offset = text.index("$0")
    return parse(text.replace("$0", "")), offset


@pytest.mark.parametrize(("text", "prefix", "partial", "system"), [
    ("{ ... }:\n{\n  services.openssh.ena$0\n}\n", "services.openssh", "ena", "file"),
    ("{\n  services.openssh = {\n    settings.Perm$0\n  };\n}\n",
     "services.openssh.settings", "Perm", "file"),
    ("{ lib, ... }:\n{\n  config = lib.mkIf true {\n    networking.$0\n  };\n}\n",
     "networking", "", "file"),
    ("{ lib, ... }:\n{\n  config = lib.mkMerge [ { boot.$0 } ];\n}\n", "boot", "", "file"),
    ("{\n  home-manager.users.alice = { pkgs, ... }: {\n    programs.gi$0\n  };\n}\n",
     "programs", "gi", "home-manager"),
    ("{\n  services.open$0ssh.enable = true;\n}\n", "services", "open", "file"),
    ("{\n  $0\n}\n", "", "", "file"),
])
def test_attrpath_at(text, prefix, partial, system):
    doc, offset = _at(text)
    at = attrpath_at(doc, offset, file_is_module=True)
    assert at is not None
    assert ".".join(s.label for s in at.prefix) == prefix
    assert at.partial == partial and at.scope.system.value == system


@pytest.mark.parametrize("text", [
    "{\n  services.openssh.enable = tr$0;\n}\n",  # a value
    "{ ... }:\nlet\n  x$0\nin { }\n",  # a let binding
    "{ pkgs$0, ... }:\n{ }\n",  # a function argument
    "{\n  options.foo.$0\n}\n",  # option declarations are not definitions
    "{\n  networking.hostName = \"ho$0st\";\n}\n",  # a string
])
def test_no_attrpath_where_no_option_is_defined(text):
    doc, offset = _at(text)
    assert attrpath_at(doc, offset, file_is_module=True) is None


def test_attrpath_in_flake_module_literal():
    text = ("{\n  outputs = { nixpkgs, ... }: {\n"
            "    nixosConfigurations.h = nixpkgs.lib.nixosSystem {\n"
            "      modules = [ { services.$0 } ];\n    };\n  };\n}\n")
    doc, offset = _at(text)
    at = attrpath_at(doc, offset, file_is_module=False)
    assert at is not None and [s.label for s in at.prefix] == ["services"]
    assert at.scope.system.value == "nixos"


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    import os

    os.environ.setdefault("NIXLS_ASSIST_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    path = FLAKE / "configuration.nix"
    ctx = ContextResolver().context_for(parse(path.read_bytes(), str(path)), path)
    return ctx, IndexProvider()


def test_completion_items_carry_type_and_boolean_snippet(setup):
    ctx, indexes = setup
    doc, offset = _at("{ ... }:\n{\n  services.openssh.$0\n}\n")
    result = complete_at(doc, ctx, indexes, offset)
    enable = next(i for i in result.items if i.label == "enable")
    assert enable.kind == "option" and enable.detail == "boolean"
    assert enable.snippet == "enable = ${1:true};"
    settings = next(i for i in result.items if i.label == "settings")
    assert settings.snippet is None


def test_completion_keeps_name_only_when_a_value_follows(setup):
    ctx, indexes = setup
    doc, offset = _at("{ ... }:\n{\n  services.openssh.en$0 = true;\n}\n")
    result = complete_at(doc, ctx, indexes, offset)
    assert result.items[0].label == "enable" and result.items[0].snippet is None


def test_completion_cap(setup):
    ctx, indexes = setup
    doc, offset = _at("{ ... }:\n{\n  services.$0\n}\n")
    result = complete_at(doc, ctx, indexes, offset, limit=5)
    assert len(result.items) == 5 and result.incomplete


def test_hover_renamed_prefix_reports_the_full_rename(setup):
    ctx, indexes = setup
    doc, offset = _at("{ ... }:\n{\n  hardware.ope$0ngl.enable = true;\n}\n")
    result = hover_at(doc, ctx, indexes, offset)
    assert result is not None
    assert "`hardware.opengl.enable` was **renamed** to `hardware.graphics.enable`" \
        in result.markdown


def test_sections_split_on_level_two_headings_outside_code():
    text = "# Title\nintro\n## One\n`mkForce`\n```sh\n## not a heading\n```\n### sub\n## Two\nb\n"
    sections = split_sections(Path("notes.md"), text)
    assert [s.title for s in sections] == ["One", "Two"]
    assert "## not a heading" in sections[0].body and "### sub" in sections[0].body


@pytest.mark.skipif(not (SHARED / "skill-references").is_dir(),
                    reason="../shared/skill-references is absent")
def test_reference_matching_on_the_shared_notes():
    library = load_references([SHARED / "skill-references"])
    assert library.for_keyword("mkForce").source.name == "configuration-and-modules.md"
    assert library.for_keyword("agenix").title == "agenix"
    assert library.for_keyword("let") is None
    section = library.for_option(("boot", "loader", "systemd-boot", "configurationLimit"))
    assert section is not None and "systemd-boot" in section.title


@pytest.mark.parametrize(("text", "code"), [
    ("{\n  services.openssh.settings.PermitRoot$0Login = \"yes\";\n}\n", "NXA701"),
    ("{\n  services.openssh = {\n    settings.PasswordAuthenti$0cation = true;\n  };\n}\n",
     "NXA702"),
    ("{\n  networking.firewall.ena$0ble = false;\n}\n", "NXA703"),
    ("{\n  nix.settings.trusted-us$0ers = [ \"@wheel\" ];\n}\n", "NXA704"),
    ("{\n  users.users.alice.extraGr$0oups = [ \"docker\" ];\n}\n", "NXA705"),
])
def test_hover_on_a_posture_option_explains_its_risk(setup, text, code):
    ctx, indexes = setup
    doc, offset = _at(text)
    result = hover_at(doc, ctx, indexes, offset)
    assert result is not None
    assert f"**Risk** ({code}, `nixls-assist explain {code}`)" in result.markdown


def test_hover_on_an_unrelated_option_names_no_risk(setup):
    ctx, indexes = setup
    doc, offset = _at("{\n  services.openssh.ena$0ble = true;\n}\n")
    result = hover_at(doc, ctx, indexes, offset)
    assert result is not None and "**Risk**" not in result.markdown
