"""textDocument/references: every definition of the option under the cursor, workspace-wide."""

from __future__ import annotations

from lsprotocol import types

from tests.e2e.conftest import FLEET, initialize, open_file, position_of, range_of


async def _references(client, rel: str, needle: str, delta: int = 1):
    path = FLEET / rel
    uri = open_file(client, path)
    return await client.text_document_references_async(types.ReferenceParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=position_of(path.read_text(), needle, delta),
        context=types.ReferenceContext(include_declaration=True)))


async def test_references_span_files_and_split_paths(fleet_client):
    result = await initialize(fleet_client, FLEET)
    assert result.capabilities.references_provider
    found = await _references(fleet_client, "modules/common.nix", "firewall.enable", 10)
    where = sorted((loc.uri.removeprefix(FLEET.as_uri() + "/"), range_of(loc.range))
                   for loc in found)
    # osprey's home-manager user sets a different option set's path: not a reference
    assert where == [("hosts/kestrel/configuration.nix", "4:4-4:10"),
                     ("modules/common.nix", "4:2-4:28")]


async def test_references_of_a_users_own_option(fleet_client):
    await initialize(fleet_client, FLEET)
    found = await _references(fleet_client, "hosts/osprey/configuration.nix", "target")
    assert sorted(loc.uri.removeprefix(FLEET.as_uri() + "/") for loc in found) == [
        "hosts/kestrel/configuration.nix", "hosts/osprey/configuration.nix"]


async def test_no_references_outside_option_paths(fleet_client):
    await initialize(fleet_client, FLEET)
    assert not await _references(fleet_client, "modules/backup.nix", "cfg =")


async def test_references_come_grouped_by_configuration(fleet_client):
    await initialize(fleet_client, FLEET)
    found = await _references(fleet_client, "modules/common.nix", "firewall.enable", 10)
    # kestrel's own file, then the module both hosts use (LSP has no groups: an order)
    assert [loc.uri.removeprefix(FLEET.as_uri() + "/") for loc in found] == [
        "hosts/kestrel/configuration.nix", "modules/common.nix"]
