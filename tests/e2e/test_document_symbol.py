"""textDocument/documentSymbol: option definitions as a tree, let bindings, flake outputs."""

from __future__ import annotations

from lsprotocol import types

from tests.e2e.conftest import FLEET, initialize, open_file, range_of


def _names(symbols, depth=0) -> list[str]:
    out = []
    for s in symbols or []:
        out.append("  " * depth + s.name)
        out += _names(s.children, depth + 1)
    return out


async def _symbols(client, path):
    uri = open_file(client, path)
    return await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))


async def test_module_outline_nests_split_paths(fleet_client):
    result = await initialize(fleet_client, FLEET)
    assert result.capabilities.document_symbol_provider
    symbols = await _symbols(fleet_client, FLEET / "hosts/kestrel/configuration.nix")
    names = _names(symbols)
    assert names[:6] == ["networking", "  hostName", "networking", "  firewall",
                         "    enable", "    allowedTCPPorts"]
    firewall = symbols[1].children[0]
    assert firewall.kind == types.SymbolKind.Namespace
    assert firewall.children[0].kind == types.SymbolKind.Property
    assert firewall.children[0].detail == "networking.firewall.enable"
    assert range_of(firewall.selection_range) == "3:13-3:21"


async def test_flake_outline_has_outputs_and_let_bindings(fleet_client):
    await initialize(fleet_client, FLEET)
    names = _names(await _symbols(fleet_client, FLEET / "flake.nix"))
    assert "    mkHost" in names or any(n.strip() == "mkHost" for n in names)
    stripped = [n.strip() for n in names]
    for expected in ("description", "inputs", "outputs", "nixosConfigurations", "kestrel",
                     "osprey", "nixosModules", "backup"):
        assert expected in stripped
