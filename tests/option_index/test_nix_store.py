"""Store paths and NAR hashes in pure Python, checked against Nix itself as the oracle.

`nix hash path DIR` gives the narHash of a directory and `nix-store --print-fixed-path
--recursive sha256 HASH source` the store path a flake input with that narHash is unpacked to.
The oracle tests skip when Nix is not installed; the pure tests pin known values.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from option_index.sources.nix_store import (
    fixed_output_path,
    from_nix_base32,
    locked_store_path,
    nar_bytes,
    nar_hash,
    nix_base32,
    parse_hash,
)

NIX = shutil.which("nix")
NIX_STORE = shutil.which("nix-store")
needs_nix = pytest.mark.skipif(NIX is None or NIX_STORE is None, reason="Nix is not installed")
TREES = 24


def _nix_hash_path(path: Path) -> str:
    return subprocess.run(
        [NIX, "--extra-experimental-features", "nix-command", "hash", "path", str(path)],
        check=True, capture_output=True, text=True).stdout.strip()


def _nix_fixed_path(sri: str, store: str | None = None, recursive: bool = True) -> str:
    env = {**os.environ, "NIX_STORE_DIR": store} if store else None
    args = [NIX_STORE, "--print-fixed-path", *(["--recursive"] if recursive else []),
            "sha256", sri, "source"]
    return subprocess.run(args, check=True, capture_output=True, text=True,
                          env=env).stdout.strip()


def _module_tree(root: Path, seed: int) -> Path:
    """A small nixpkgs-like module tree: nested dirs, executables, symlinks, odd sizes."""
    rng = random.Random(seed)
    root.mkdir(parents=True)
    (root / "nixos" / "modules" / "services").mkdir(parents=True)
    (root / "nixos" / "modules" / "module-list.nix").write_text(
        "[\n  ./services/s0.nix\n]\n")
    for i in range(rng.randint(1, 6)):
        body = (f"{{ lib, ... }}: {{\n  options.services.s{seed}x{i}.enable = "
                f"lib.mkEnableOption \"s{i}\";\n" + "  # pad\n" * rng.randint(0, 9) + "}\n")
        (root / "nixos" / "modules" / "services" / f"s{i}.nix").write_text(body)
    for depth in range(rng.randint(0, 4)):  # nested directories, some empty
        nested = root.joinpath(*[f"d{d}" for d in range(depth + 1)])
        nested.mkdir(parents=True, exist_ok=True)
        if rng.random() < 0.7:
            (nested / "file").write_bytes(os.urandom(rng.randint(0, 70)))
    if rng.random() < 0.6:
        script = root / "run.sh"
        script.write_text("#!/bin/sh\necho hi\n")
        script.chmod(0o755)
    if rng.random() < 0.6:
        (root / "link").symlink_to("nixos/modules/module-list.nix")
    if rng.random() < 0.3:
        (root / "dangling").symlink_to("../nowhere/at all")
    if rng.random() < 0.3:
        (root / "ünïcode név.nix").write_text("{ }\n")
    if rng.random() < 0.3:
        (root / "empty").write_bytes(b"")
    if rng.random() < 0.3:
        (root / ".version").write_text("24.11")
    return root


@pytest.fixture(scope="module")
def trees(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    base = tmp_path_factory.mktemp("trees")
    return [_module_tree(base / f"tree{seed}", seed) for seed in range(TREES)]


@needs_nix
def test_nar_hash_and_store_path_equal_nix_for_24_trees(trees: list[Path]) -> None:
    assert len(trees) >= 20
    paths = set()
    for tree in trees:
        ours = nar_hash(tree)
        assert ours == _nix_hash_path(tree), tree
        path = fixed_output_path(ours, "source", store="/nix/store")
        assert path == _nix_fixed_path(ours), tree
        paths.add(path)
    assert len(paths) == len(trees)  # every tree differs, so does every path


@needs_nix
def test_store_dir_is_part_of_the_path(trees: list[Path], tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    for tree in trees[:3]:
        sri = nar_hash(tree)
        assert fixed_output_path(sri, store=store) == _nix_fixed_path(sri, store)
        assert fixed_output_path(sri, store=store) != fixed_output_path(sri, store="/nix/store")


@needs_nix
def test_single_files_and_flat_hashes(tmp_path: Path) -> None:
    for size in (0, 1, 7, 8, 9, 4096):
        f = tmp_path / f"f{size}"
        f.write_bytes(b"x" * size)
        assert nar_hash(f) == _nix_hash_path(f)
        assert fixed_output_path(nar_hash(f), recursive=False, store="/nix/store") == \
            _nix_fixed_path(nar_hash(f), recursive=False)


def test_known_values_without_nix(tmp_path: Path) -> None:
    # `echo hi > d/a; nix hash path d` and `nix-store --print-fixed-path --recursive sha256 …`
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a").write_text("hi\n")
    sri = nar_hash(tmp_path / "d")
    assert sri == "sha256-h4gyzSK14DjhF7cBN4VY+Km2ytc4Gg5tV6noZdNPhaY="
    assert fixed_output_path(sri, store="/nix/store") == \
        "/nix/store/ms37m6i4z2hfa1lm7a6lch7lw9vcr26l-source"
    algo, digest = parse_hash(sri)
    assert nix_base32(digest) == "19l59z9nbs59axnhw6iqsz5bdagqb22kf0dp2zhkiq5m4b6k5247"
    for form in (f"sha256:{digest.hex()}", f"sha256:{nix_base32(digest)}", digest.hex()):
        assert parse_hash(form, "sha256") == (algo, digest)
    assert from_nix_base32(nix_base32(digest), 32) == digest


def test_nar_of_a_symlink_and_an_executable(tmp_path: Path) -> None:
    (tmp_path / "l").symlink_to("target")
    nar = nar_bytes(tmp_path / "l")
    assert b"symlink" in nar and b"target" in nar and len(nar) % 8 == 0
    exe = tmp_path / "x"
    exe.write_text("#!/bin/sh\n")
    plain = nar_hash(exe)
    exe.chmod(0o755)
    assert nar_hash(exe) != plain


@pytest.mark.parametrize("bad", ["", "sha256-", "md5-AAAA", "sha256:zz", "sha999-abc",
                                 "sha256-" + "A" * 10])
def test_malformed_hashes_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_hash(bad)
    assert locked_store_path({"narHash": bad}) is None


def test_locked_store_path_honours_nix_store_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    sri = "sha256-h4gyzSK14DjhF7cBN4VY+Km2ytc4Gg5tV6noZdNPhaY="
    monkeypatch.setenv("NIX_STORE_DIR", "/srv/store/")
    path = locked_store_path({"narHash": sri, "type": "github"})
    assert path is not None and path.startswith("/srv/store/") and path.endswith("-source")
    monkeypatch.delenv("NIX_STORE_DIR")
    assert locked_store_path({"narHash": sri}) == \
        "/nix/store/ms37m6i4z2hfa1lm7a6lch7lw9vcr26l-source"
    assert locked_store_path({"rev": "abc"}) is None
