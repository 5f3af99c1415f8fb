"""A large document is checked rule by rule: other requests are answered in between."""

from __future__ import annotations

import asyncio
import contextlib

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
    hover = types.HoverParams(text_document=types.TextDocumentIdentifier(uri=small),
                              position=types.Position(line=0, character=2))
    await client.text_document_hover_async(hover)  # warm: the hover's own first-use work
    published_before = len(client.published)
    large = open_file(client, FLAKE_2411 / "generated-vhosts.nix", text=large_text)

    def large_published() -> bool:
        return any(p.uri == large for p in client.published[published_before:])

    # No sleep: the server reads messages in order, so this hover is read after the didOpen
    # that scheduled the large check. Responses and notifications arrive in the order the
    # server sent them: an answer seen before the large file's publication was sent while
    # that file was still unchecked.
    await client.text_document_hover_async(hover)
    assert not large_published(), "hover waited for the whole large check"
    # Then wait for the large file's diagnostics themselves (a condition with a generous
    # bound: an 800 kB file on a loaded CI machine may take longer than TIMEOUT).
    deadline = asyncio.get_running_loop().time() + 120
    while not large_published():
        remaining = deadline - asyncio.get_running_loop().time()
        assert remaining > 0, "the large file was never checked"
        client.changed.clear()
        if not large_published():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(client.changed.wait(), remaining)
    diagnostics = await diagnostics_for(client, large, 1, after=published_before)
    assert all(d.code != "NXA001" for d in diagnostics)
