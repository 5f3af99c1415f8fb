"""`experimental/parentModule` (as in nil): go to the file that imports this one."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import FLEET, initialize, open_file


async def _parents(client, path: Path):
    uri = open_file(client, path)
    params = {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}
    result = await client.protocol.send_request_async("experimental/parentModule", params)
    if result is None:
        return None
    # The raw JSON, as an editor's client sees it (a request lsprotocol does not know).
    return [(r["uri"], "{}:{}-{}:{}".format(
        r["range"]["start"]["line"], r["range"]["start"]["character"],
        r["range"]["end"]["line"], r["range"]["end"]["character"])) for r in result]


async def test_the_capability_is_advertised(fleet_client):
    result = await initialize(fleet_client, FLEET)
    assert result.capabilities.experimental == {"parentModule": True}


async def test_a_module_goes_to_the_imports_element_that_imports_it(fleet_client):
    await initialize(fleet_client, FLEET)
    assert await _parents(fleet_client, FLEET / "modules/backup.nix") == [
        ((FLEET / "modules/common.nix").as_uri(), "2:14-2:26")]


async def test_a_host_goes_to_the_builder_s_module_list(fleet_client):
    await initialize(fleet_client, FLEET)
    # Both hosts come from the same `modules` element of `mkHost`: one location.
    assert await _parents(fleet_client, FLEET / "hosts/kestrel/configuration.nix") == [
        ((FLEET / "flake.nix").as_uri(), "9:20-9:53")]


async def test_a_file_nothing_imports_has_no_parent(fleet_client):
    await initialize(fleet_client, FLEET)
    assert await _parents(fleet_client, FLEET / "flake.nix") is None
