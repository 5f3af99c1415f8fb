"""textDocument/prepareRename and rename: an option path moved across the workspace."""

from __future__ import annotations

from lsprotocol import types

from tests.e2e.conftest import FLEET, initialize, open_file, position_of, range_of


async def test_rename_an_option_across_files(fleet_client):
    result = await initialize(fleet_client, FLEET)
    assert result.capabilities.rename_provider.prepare_provider
    path = FLEET / "hosts/osprey/configuration.nix"
    uri = open_file(fleet_client, path)
    position = position_of(path.read_text(), "target")
    prepared = await fleet_client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=types.TextDocumentIdentifier(uri=uri),
                                  position=position))
    assert prepared.placeholder == "fleet.backup.target"
    assert range_of(prepared.range) == "3:15-3:21"
    edit = await fleet_client.text_document_rename_async(types.RenameParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=position,
        new_name="repository"))
    changes = {u.removeprefix(FLEET.as_uri() + "/"): [(range_of(e.range), e.new_text)
                                                      for e in edits]
               for u, edits in edit.changes.items()}
    assert changes == {
        "hosts/osprey/configuration.nix": [("3:2-3:21", "fleet.backup.repository")],
        "hosts/kestrel/configuration.nix": [("10:4-10:10", "repository")],
    }


async def test_rename_outside_an_option_path_is_refused(fleet_client):
    await initialize(fleet_client, FLEET)
    path = FLEET / "modules/backup.nix"
    uri = open_file(fleet_client, path)
    prepared = await fleet_client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=types.TextDocumentIdentifier(uri=uri),
                                  position=position_of(path.read_text(), "cfg =")))
    assert prepared is None
