"""Cross-checks against the real data in ../shared/data (skipped when it is absent)."""

from __future__ import annotations

import json

import pytest

from option_index.build import build_from_options_file
from option_index.index import open_index
from option_index.model import Lookup
from option_index.paths import split_path


@pytest.mark.parametrize("release", ["23.05", "24.11", "master"])
def test_embedded_set_matches_the_manual(shared_data, cache_dir, release):
    names = json.loads((shared_data / "home-manager" / f"options-{release}.json").read_text())
    ix = open_index("home-manager", "unstable" if release == "master" else release,
                    cache_dir=cache_dir)
    missing = [n for n in names if ix.lookup(split_path(n))[0] is not Lookup.FOUND]
    assert missing == []


def test_import_real_options_json(shared_data, cache_dir):
    src = shared_data / "home-manager" / "options-24.11.json"
    result = build_from_options_file(src, "home-manager", "24.11", cache_dir)
    assert result.option_count == 3238
    ix = open_index("home-manager", "24.11", cache_dir=cache_dir)
    assert ix.source.startswith("options.json from")
    opt = ix.get("programs.git.userName")
    assert opt.type == "null or string" and opt.description == "Default user name to use."
    assert ix.added_later(split_path("programs.git.settings")) == "25.11"


def test_import_nixos_scrape(shared_data, cache_dir):
    src = shared_data / "nixos-options" / "unstable-2024-12-19.json.gz"
    if not src.exists():
        pytest.skip("no NixOS scrape")
    build_from_options_file(src, "nixos", "unstable", cache_dir)
    ix = open_index("nixos", "unstable", cache_dir=cache_dir)
    assert ix.has_option_set  # the user chose this file for this release
    assert ix.lookup(split_path("users.users.alice.isNormalUser"))[0] is Lookup.FOUND
    assert ix.lookup(split_path("hardware.opengl.enable"))[0] is Lookup.UNKNOWN
    assert ix.drift(split_path("hardware.opengl.enable")).to_path == "hardware.graphics.enable"


def test_every_hm_rename_target_exists_when_the_shim_does(shared_data, cache_dir):
    """A renamed record's final target is an option (or under one) in the releases of its shim."""
    records = json.loads((shared_data / "home-manager" / "renames.json").read_text())
    bad = []
    for rec in records:
        if rec["kind"] != "renamed" or "master" not in rec["releases"]:
            continue
        ix = open_index("home-manager", "unstable", cache_dir=cache_dir)
        found = ix.drift(split_path(rec["from"]))
        if found is None or found.kind == "removed":
            continue
        if ix.lookup(split_path(found.to_path))[0] is Lookup.UNKNOWN:
            bad.append((rec["from"], found.to_path))
    assert len(bad) <= 5, bad
