"""Static extractor on a realistic module tree (tests/option_index/fixtures/modules)."""

from __future__ import annotations

from pathlib import Path

import pytest

from option_index.build import build_from
from option_index.index import open_index
from option_index.model import Lookup
from option_index.paths import show_path, split_path
from option_index.sources.extract import extract_tree
from option_index.sources.workspace import user_module_index

from .conftest import FIXTURES

TREE = FIXTURES / "modules"


@pytest.fixture(scope="module")
def extraction():
    return extract_tree(TREE, release="24.11")


def _paths(extraction) -> dict[str, str]:
    return {show_path(o.segments): o.type for o in extraction.options}


def test_declarations(extraction):
    paths = _paths(extraction)
    assert paths["services.backup.enable"] == "boolean"
    assert paths["services.backup.package"] == "package"
    assert paths["services.backup.destination"] == "str"
    assert paths["services.webapp.listen.port"] == "port"
    assert 'services.webapp."data dir"' in paths
    assert paths["my.profile.desktop.enable"] == "boolean"
    assert paths["my.profile.name"] == ""  # helper call: an option of unknown type


def test_submodules_and_placeholders(extraction):
    paths = _paths(extraction)
    assert "services.backup.targets.<name>.path" in paths  # let-bound submodule module
    assert "services.backup.hooks.*.command" in paths  # listOf submodule
    assert "services.webapp.instances.<name>.processes" in paths  # imported file
    assert "my.users.<name>.shell" in paths  # function-headed submodule
    assert paths["services.backup.settings"].startswith("open submodule")  # freeformType
    assert not any(p.startswith(("processes", "domain", "workers")) for p in paths)


def test_read_only_and_default(extraction):
    state = next(o for o in extraction.options if o.segments[-1] == "stateDir")
    assert state.read_only and state.default == '"/var/lib/backup"'


def test_drift_records(extraction):
    drift = {d.from_path: d for d in extraction.drift}
    assert drift["services.backup.dest"].to_path == "services.backup.destination"
    removed = drift["services.backup.legacyMode"]
    assert removed.kind == "removed" and removed.message.startswith("Legacy mode was dropped")
    assert drift["services.backup.when"].kind == "alias"  # multi-line RFC 166 layout
    assert drift["services.webapp.port"].to_path == "services.webapp.listen.port"  # ...With
    assert drift["services.webapp.host"].kind == "merged"
    assert drift["services.webapp.scheme"].to_path == "services.webapp.url"
    sub = drift["services.webapp.instances.<name>.workers"]  # shim inside a submodule
    assert sub.to_path == "services.webapp.instances.<name>.processes"
    assert all(d.release == "24.11" and d.release_window == "<=24.11" for d in drift.values())


def test_workspace_index_lookups():
    ix = user_module_index([TREE])
    assert not ix.has_option_set
    P = split_path
    assert ix.lookup(P("services.backup.targets.home.exclude"))[0] is Lookup.FOUND
    assert ix.lookup(P("services.backup.settings.anything"))[0] is Lookup.UNDER_FREEFORM
    assert ix.lookup(P("services.backup.extraEnv.FOO"))[0] is Lookup.UNDER_FREEFORM
    assert ix.lookup(P("my.profile.name.sub"))[0] is Lookup.UNDER_FREEFORM
    assert ix.lookup(P("services.backup.nope"))[0] is Lookup.NOT_INDEXED
    assert ix.drift(P("services.webapp.instances.blog.workers")).to_path == \
        "services.webapp.instances.blog.processes"


def test_build_from_directory(cache_dir):
    result = build_from(TREE, "nixos", "24.11", cache_dir)
    assert result.option_count > 20 and result.drift_count == 7
    ix = open_index("nixos", "24.11", cache_dir=cache_dir)
    assert ix.lookup(split_path("services.backup.enable"))[0] is Lookup.FOUND
    assert ix.drift(split_path("services.backup.dest")).to_path == "services.backup.destination"
    # embedded NixOS drift is still there
    assert ix.drift(split_path("hardware.opengl.enable")) is not None


def test_tolerates_broken_files(tmp_path: Path):
    (tmp_path / "broken.nix").write_text(
        "{ lib, pkgs, }:\n{ options.x.y = lib.mkEnableOption \"y\"; options.x.z = ; }\n"
    )
    result = extract_tree(tmp_path)
    assert result.files == 1 and result.parse_errors
    assert ("x", "y") in {o.segments for o in result.options}
