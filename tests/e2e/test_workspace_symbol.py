"""workspace/symbol: option paths defined anywhere in the workspace."""

from __future__ import annotations

from lsprotocol import types

from tests.e2e.conftest import FLEET, initialize


async def test_workspace_symbols_find_defined_options(fleet_client):
    result = await initialize(fleet_client, FLEET)
    assert result.capabilities.workspace_symbol_provider
    found = await fleet_client.workspace_symbol_async(
        types.WorkspaceSymbolParams(query="backup target"))
    assert sorted((s.name, s.location.uri.removeprefix(FLEET.as_uri() + "/"))
                  for s in found) == [
        ("fleet.backup.target", "hosts/kestrel/configuration.nix"),
        ("fleet.backup.target", "hosts/osprey/configuration.nix")]
    git = await fleet_client.workspace_symbol_async(types.WorkspaceSymbolParams(query="git"))
    assert [(s.name, s.container_name) for s in git] == [("programs.git.enable",
                                                          "home-manager")]


async def test_workspace_symbols_list_configurations_by_name(fleet_client):
    await initialize(fleet_client, FLEET)
    found = await fleet_client.workspace_symbol_async(
        types.WorkspaceSymbolParams(query="nixosConfigurations"))
    # each at the name flake.nix gives it (`nixosConfigurations.kestrel = mkHost "kestrel";`)
    assert [(s.name, s.kind, s.container_name, s.location.uri.removeprefix(FLEET.as_uri() + "/"),
             s.location.range.start.line, s.location.range.start.character) for s in found] == [
        ("nixosConfigurations.kestrel", types.SymbolKind.Module, "nixos", "flake.nix", 12, 26),
        ("nixosConfigurations.osprey", types.SymbolKind.Module, "nixos", "flake.nix", 13, 26)]
