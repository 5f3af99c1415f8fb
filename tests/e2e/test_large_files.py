"""A large document is checked rule by rule: other requests are answered in between."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from tests.e2e.conftest import FLAKE_2411, diagnostics_for, initialize, open_file

BLOCK = """  services.nginx.virtualHosts."site{i}.example.org" = {{
    forceSSL = true;
    locations."/".proxyPass = "http://127.0.0.1:{port}";
  }};
"""


async def test_hover_on_another_file_is_answered_while_a_large_file_is_checked(client):
    await initialize(client, FLAKE_2411)
    small = open_file(client, FLAKE_2411 / "configuration.nix")
    await diagnostics_for(client, small, 1)
    large_text = "{ config, lib, pkgs, ... }:\n{\n" + "".join(
        BLOCK.format(i=i, port=1024 + i % 60000) for i in range(8000)) + "}\n"
    assert len(large_text) > 800_000
    published_before = len(client.published)
    large = open_file(client, FLAKE_2411 / "generated-vhosts.nix", text=large_text)
    await asyncio.sleep(0.05)  # the large check has started
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=small),
        position=types.Position(line=0, character=2)))
    del hover  # any answer will do; what matters is when it came
    # The hover was answered while the large file was still being checked.
    assert not any(p.uri == large for p in client.published[published_before:])
    diagnostics = await asyncio.wait_for(
        diagnostics_for(client, large, 1, after=published_before), 120)
    assert all(d.code != "NXA001" for d in diagnostics)
