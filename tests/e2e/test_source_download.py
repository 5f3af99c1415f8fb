"""The editor's `downloadSources` setting: the pinned nixpkgs source is fetched in the
background from a local HTTP server, and the open file is re-checked with its renames."""

from __future__ import annotations

import asyncio

from nixls_assist.rules import RULES_BY_CODE
from option_index.sources.nix_store import nar_hash
from tests.e2e.conftest import diagnostics_for, initialize, open_file
from tests.option_index.source_archives import (
    REV,
    TREE,
    Handler,
    archive_server,
    make_flake,
    tarball,
    template,
)
from tests.option_index.store_trees import write_tree

RENAMED = "services.webfrob.listenPort"


def _renames(diagnostics) -> list[str]:
    return [d.message for d in diagnostics if d.code == "NXA101" and RENAMED in d.message]


async def test_download_sources_setting_fetches_the_pinned_revision(client, tmp_path):
    assert "NXA101" in RULES_BY_CODE
    tree = write_tree(tmp_path / "src" / "nixpkgs", TREE)
    with archive_server() as server:
        Handler.routes[f"{REV}.tar.gz"] = tarball(tree)
        root = make_flake(tmp_path / "flake", nar_hash(tree))
        await initialize(client, root, options={"downloadSources": True,
                                                "sourceUrl": template(server)})
        uri = open_file(client, root / "configuration.nix")
        seen = 0
        for _ in range(20):  # the release index answers first; the re-check follows
            found = _renames(await diagnostics_for(client, uri, 1, after=seen))
            if found:
                break
            seen = len(client.published)
            await asyncio.sleep(0.1)
        assert found and "services.webfrob.settings.port" in found[0]
        assert Handler.hits == {f"/ok/NixOS/nixpkgs/{REV}.tar.gz": 1}
        assert any("downloaded; re-checking" in m.message for m in client.messages)
