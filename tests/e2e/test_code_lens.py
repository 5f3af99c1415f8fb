"""textDocument/codeLens and the `nixls-assist.showConfigurations` command: the
configurations of the fleet that use a module file."""

from __future__ import annotations

from lsprotocol import types

from tests.e2e.conftest import FLEET, diagnostics_for, initialize, open_file, range_of


async def _lenses(client, path):
    uri = open_file(client, path)
    await diagnostics_for(client, uri)  # the first diagnostics read the workspace
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    return uri, lenses


async def test_a_shared_module_names_both_hosts(fleet_client):
    result = await initialize(fleet_client, FLEET)
    assert result.capabilities.code_lens_provider is not None
    assert "nixls-assist.showConfigurations" in \
        result.capabilities.execute_command_provider.commands
    _, lenses = await _lenses(fleet_client, FLEET / "modules/backup.nix")
    assert len(lenses) == 1
    assert range_of(lenses[0].range) == "0:0-0:0"
    assert lenses[0].command.title == "in 2 configurations: kestrel, osprey"
    assert lenses[0].command.command == "nixls-assist.showConfigurations"
    answer = await fleet_client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="nixls-assist.showConfigurations", arguments=lenses[0].command.arguments))
    assert answer == ["nixosConfigurations.kestrel", "nixosConfigurations.osprey"]


async def test_a_host_file_names_its_host_and_the_flake_has_no_lens(fleet_client):
    await initialize(fleet_client, FLEET)
    _, lenses = await _lenses(fleet_client, FLEET / "hosts/osprey/configuration.nix")
    assert [lens.command.title for lens in lenses] == ["in 1 configuration: osprey"]
    _, lenses = await _lenses(fleet_client, FLEET / "flake.nix")
    assert not lenses
