"""textDocument/completion: option paths for the file's module system and release."""

from __future__ import annotations

from lsprotocol import types

from tests.e2e.conftest import FLAKE_2405, FLAKE_2411, diagnostics_for, initialize, open_file


async def _complete(client, path, text: str) -> types.CompletionList:
    """Complete at `$0` in `text`, opened as `path`."""
    offset = text.index("$0")
    text = text.replace("$0", "")
    line = text.count("\n", 0, offset)
    character = offset - (text.rfind("\n", 0, offset) + 1)
    uri = open_file(client, path, text)
    await diagnostics_for(client, uri, 1)
    result = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=line, character=character),
        context=types.CompletionContext(trigger_kind=types.CompletionTriggerKind.TriggerCharacter,
                                        trigger_character=".")))
    assert isinstance(result, types.CompletionList)
    return result


def _labels(result: types.CompletionList) -> list[str]:
    return [item.label for item in result.items]


async def test_dotted_path_after_dot(client):
    await initialize(client, FLAKE_2411)
    result = await _complete(client, FLAKE_2411 / "configuration.nix",
                             "{ ... }:\n{\n  services.openssh.$0\n}\n")
    assert {"enable", "settings", "ports"} <= set(_labels(result))
    enable = next(i for i in result.items if i.label == "enable")
    assert enable.detail == "boolean"
    assert enable.insert_text_format == types.InsertTextFormat.Snippet
    assert enable.text_edit.new_text == "enable = ${1:true};"


async def test_inside_nested_attrset_with_partial_word(client):
    await initialize(client, FLAKE_2411)
    text = "{ ... }:\n{\n  services.openssh = {\n    settings.Permit$0\n  };\n}\n"
    result = await _complete(client, FLAKE_2411 / "configuration.nix", text)
    assert _labels(result)[0] == "PermitRootLogin"
    item = result.items[0]
    assert item.text_edit.range.start == types.Position(line=3, character=13)
    assert item.text_edit.range.end == types.Position(line=3, character=19)


async def test_inside_mkif_and_mkmerge(client):
    await initialize(client, FLAKE_2411)
    text = ("{ config, lib, ... }:\n{\n  config = lib.mkMerge [\n"
            "    (lib.mkIf config.services.xserver.enable {\n      networking.$0\n    })\n"
            "  ];\n}\n")
    assert "firewall" in _labels(await _complete(client, FLAKE_2411 / "configuration.nix", text))


async def test_under_home_manager_users_offers_home_manager_options(client):
    await initialize(client, FLAKE_2411)
    text = ("{ ... }:\n{\n  home-manager.users.alice = { pkgs, ... }: {\n"
            "    programs.$0\n  };\n}\n")
    labels = _labels(await _complete(client, FLAKE_2411 / "configuration.nix", text))
    assert "git" in labels and "home-manager" in labels


async def test_list_is_capped_and_marked_incomplete(client):
    await initialize(client, FLAKE_2411, options={"completionLimit": 10})
    result = await _complete(client, FLAKE_2411 / "configuration.nix",
                             "{ ... }:\n{\n  services.$0\n}\n")
    assert len(result.items) == 10 and result.is_incomplete


async def test_no_completion_in_values_or_let_bindings(client):
    await initialize(client, FLAKE_2411)
    path = FLAKE_2411 / "configuration.nix"
    value = await _complete(client, path, "{ ... }:\n{\n  services.openssh.enable = tr$0;\n}\n")
    assert list(value.items) == []


async def test_no_completion_in_let_bindings(client):
    await initialize(client, FLAKE_2411)
    path = FLAKE_2411 / "configuration.nix"
    result = await _complete(client, path, "{ ... }:\nlet\n  serv$0\nin {\n}\n")
    assert list(result.items) == []


async def test_release_decides_what_exists(client):
    # home-manager's `programs.git.maintenance` is new in 24.11: not offered on 24.05.
    await initialize(client, FLAKE_2405.parent)
    text = "{ ... }:\n{\n  programs.git.$0\n}\n"
    old = _labels(await _complete(client, FLAKE_2405 / "home.nix", text))
    new = _labels(await _complete(client, FLAKE_2411 / "home.nix", text))
    assert "userEmail" in old and "userEmail" in new
    assert "maintenance" not in old and "maintenance" in new
