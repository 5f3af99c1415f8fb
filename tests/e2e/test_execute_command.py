"""workspace/executeCommand "Preview upgrade to …": the report and the batch as a
WorkspaceEdit, open buffers over the disk, an unknown release refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from tests.cli.upgrade_fleets import FLEETS
from tests.e2e.conftest import initialize, open_file

PREVIEW = "nixls-assist.previewUpgrade"


@pytest.fixture
def fleet_2405(tmp_path: Path) -> Path:
    for rel, text in FLEETS["24.05"].items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def _changes(edit: dict, root: Path) -> dict[str, list[str]]:
    return {uri.removeprefix(root.resolve().as_uri() + "/"): [e["newText"] for e in edits]
            for uri, edits in edit["changes"].items()}


async def test_preview_upgrade_returns_the_report_and_the_batch(client, fleet_2405: Path):
    result = await initialize(client, fleet_2405)
    assert PREVIEW in result.capabilities.execute_command_provider.commands
    osprey = fleet_2405 / "hosts/osprey/configuration.nix"
    text = osprey.read_text().replace("services.samba", "hardware.opengl.enable = true;\n"
                                      "  services.samba")
    open_file(client, osprey, text)  # the open buffer, not the disk, is previewed
    answer = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=PREVIEW, arguments=[{"to": "nixos-24.11"}]))
    report = answer["report"]
    assert (report["version"], report["from"], report["to"]) == (1, "24.05", "24.11")
    osprey_changes = [c["option"] for c in report["changes"]
                      if c["file"] == "hosts/osprey/configuration.nix"]
    assert osprey_changes == ["hardware.opengl.enable", "services.samba.enableNmbd"]
    assert answer["markdown"].startswith("## Upgrade to NixOS 24.11 (from 24.05)")
    changes = _changes(answer["edit"], fleet_2405)
    assert sorted(changes) == ["flake.nix", "hosts/kestrel/configuration.nix",
                               "hosts/osprey/configuration.nix", "modules/common.nix"]
    assert all(len(edits) == 1 for edits in changes.values())  # one minimal edit per file
    assert changes["hosts/osprey/configuration.nix"] == [
        "graphics.enable = true;\n  services.samba.nmbd.enable"]
    assert "nixos-24.05" in (fleet_2405 / "flake.nix").read_text()  # nothing written


async def test_preview_upgrade_can_ask_the_editor_to_apply(client, fleet_2405: Path):
    applied: list[types.ApplyWorkspaceEditParams] = []

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        applied.append(params)
        return types.ApplyWorkspaceEditResult(applied=True)

    await initialize(client, fleet_2405)
    await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command=PREVIEW, arguments=[{"to": "24.11", "folder": fleet_2405.as_uri(),
                                     "apply": True}]))
    assert len(applied) == 1 and applied[0].label == "Upgrade to NixOS 24.11"
    assert len(applied[0].edit.changes) == 4


async def test_preview_upgrade_to_an_unknown_release_is_refused(client, fleet_2405: Path):
    await initialize(client, fleet_2405)
    answer = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=PREVIEW, arguments=["24.12"]))
    assert answer is None
    assert any("cannot preview an upgrade to '24.12'" in m.message
               for m in client.messages)


async def test_preview_upgrade_without_a_target_lists_the_releases_after_the_pin(
        client, fleet_2405: Path):
    """The editor's pick list: the release the open file is pinned to and the later ones."""
    await initialize(client, fleet_2405)
    osprey = fleet_2405 / "hosts/osprey/configuration.nix"
    open_file(client, osprey, osprey.read_text())
    answer = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command=PREVIEW, arguments=[{"uri": osprey.as_uri()}]))
    assert answer["from"] == "24.05"
    assert answer["targets"][:3] == ["24.11", "25.05", "25.11"]
    assert answer["targets"][-1] == "unstable"
    assert not client.messages  # a question, not an error
    unknown = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command=PREVIEW, arguments=[{}]))
    assert unknown == {"from": None, "targets": ["unstable"]}
