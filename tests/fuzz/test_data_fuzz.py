"""flake.lock reader, options.json importer and project config loader on hostile input."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from nixls_assist.context import FileKind
from nixls_assist.context.config import ProjectConfig, load_config
from nixls_assist.context.flake_lock import FlakeLock, LockError, parse_flake_lock, read_flake_lock
from nixls_assist.context.release import normalise_release, pin_from_node
from nixls_assist.errors import ConfigError
from option_index.errors import InvalidOptionsFile
from option_index.sources.importer import parse_options, parse_options_bytes
from tests.conftest import REPO
from tests.fuzz.conftest import fuzz_settings
from tests.fuzz.invariants import COUNTER, check_source
from tests.fuzz.nix_strategies import SEEDS

SEED_DIR = Path(__file__).parent / "seeds"
FLEET = REPO / "examples" / "fleet"
LOCK_BYTES = (FLEET / "flake.lock").read_bytes()
FLAKE_NIX = (FLEET / "flake.nix").read_bytes()
OPTIONS_BYTES = (SEED_DIR / "options-slice.json").read_bytes()
CONFIG_BYTES = (SEED_DIR / "config.toml").read_bytes()

JSON: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=12)
    | st.sampled_from(["root", "nixpkgs", "home-manager", "github", "nixos-24.11", "follows"]),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(["version", "root", "nodes", "inputs", "locked",
                                       "original", "type", "owner", "repo", "ref", "rev",
                                       "lastModified", "url", "flake", "loc", "name", "options",
                                       "type", "default", "_type", "text", "declarations",
                                       "readOnly", "description"]) | st.text(max_size=6),
                      inner, max_size=5),
    max_leaves=30,
)


@st.composite
def perturbed(draw: st.DrawFn, document: Any) -> Any:
    """`document` with a few values somewhere inside replaced by random JSON."""
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        document = _replace_somewhere(draw, document)
    return document


def _replace_somewhere(draw: st.DrawFn, value: Any) -> Any:
    if isinstance(value, dict) and value and draw(st.integers(0, 3)):
        key = draw(st.sampled_from(sorted(value)))
        return {**value, key: _replace_somewhere(draw, value[key])}
    if isinstance(value, list) and value and draw(st.integers(0, 3)):
        i = draw(st.integers(0, len(value) - 1))
        return [*value[:i], _replace_somewhere(draw, value[i]), *value[i + 1 :]]
    return draw(JSON)


@st.composite
def byte_mutations(draw: st.DrawFn, data: bytes) -> bytes:
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        pos = draw(st.integers(0, len(data)))
        op = draw(st.integers(0, 3))
        if op == 0:
            data = data[:pos]
        elif op == 1 and pos < len(data):
            data = data[:pos] + bytes([data[pos] ^ draw(st.integers(1, 255))]) + data[pos + 1 :]
        elif op == 2:
            data = data[:pos] + draw(st.binary(min_size=1, max_size=6)) + data[pos:]
        else:
            data = data[:pos] + data[pos + draw(st.integers(1, 50)) :]
    return data


def exercise_lock(lock: FlakeLock, paths: list[list[str]]) -> None:
    lock.root_inputs()
    for path in paths:
        lock.resolve(path)
    for name, node in lock.nodes.items():
        pin_from_node(node, name, "flake.lock")


LOCK = json.loads(LOCK_BYTES)
LOCKS = st.one_of(
    perturbed(LOCK),
    perturbed(LOCK["nodes"]).map(lambda nodes: {**LOCK, "nodes": nodes}),
    perturbed(LOCK["nodes"]).map(lambda nodes: {**LOCK, "nodes": nodes}),
)


@fuzz_settings(weight=0.6)
@given(document=LOCKS,
       paths=st.lists(st.lists(st.sampled_from(["nixpkgs", "home-manager", "sops-nix", "root",
                                                "x", "utils"]), max_size=5), max_size=4))
def test_flake_lock_documents(document: Any, paths: list[list[str]]) -> None:
    COUNTER.data_inputs += 1
    try:
        lock = parse_flake_lock(document, FLEET / "flake.lock")
    except LockError:
        return
    exercise_lock(lock, paths)
    # The flake rules (NXA501/NXA502) read the lock graph: they must cope with any of it.
    check_source(FLAKE_NIX, FileKind.FLAKE, "24.11", lock=lock)


@fuzz_settings(weight=0.4)
@given(data=byte_mutations(LOCK_BYTES))
def test_flake_lock_bytes(data: bytes, tmp_path_factory: Any) -> None:
    COUNTER.data_inputs += 1
    path = tmp_path_factory.mktemp("lock") / "flake.lock"
    path.write_bytes(data)
    try:
        lock = read_flake_lock(path)
    except LockError:
        return
    exercise_lock(lock, [["nixpkgs"], ["home-manager", "nixpkgs"]])


@fuzz_settings(weight=0.6)
@given(document=perturbed(json.loads(OPTIONS_BYTES)) | JSON)
def test_options_json_documents(document: Any) -> None:
    COUNTER.data_inputs += 1
    try:
        rows = parse_options(document)
    except InvalidOptionsFile:
        return
    for row in rows:
        assert row.segments and all(isinstance(s, str) and s for s in row.segments)


@fuzz_settings(weight=0.4)
@given(data=byte_mutations(OPTIONS_BYTES))
def test_options_json_bytes(data: bytes) -> None:
    COUNTER.data_inputs += 1
    try:
        parse_options_bytes(data, "options.json")
    except InvalidOptionsFile:
        return


def _toml(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, bool) else (
        "true" if value else "false")


@st.composite
def config_texts(draw: st.DrawFn) -> bytes:
    if draw(st.booleans()):
        return draw(byte_mutations(CONFIG_BYTES))
    lines = CONFIG_BYTES.decode().splitlines()
    i = draw(st.integers(0, len(lines) - 1))
    if "=" in lines[i]:
        key = lines[i].split("=", 1)[0].strip()
        value = draw(st.one_of(st.text(max_size=8), st.integers(), st.booleans(),
                               st.lists(st.text(max_size=6) | st.integers(), max_size=3)))
        lines[i] = f"{key} = {_toml(value)}"
    else:
        lines[i] = draw(st.sampled_from(["[severity]", "[[overrides]]", "[x]", "", "[release]"]))
    return "\n".join(lines).encode()


@fuzz_settings(weight=0.6)
@given(data=config_texts(), probe=st.sampled_from(["hosts/old/a.nix", "a.nix", "vendor/x.nix",
                                                   "../outside.nix", "result"]))
def test_project_config(data: bytes, probe: str, tmp_path_factory: Any) -> None:
    COUNTER.data_inputs += 1
    root = tmp_path_factory.mktemp("cfg")
    path = root / ".nixls-assist.toml"
    path.write_bytes(data)
    try:
        config = load_config(path)
    except ConfigError:
        return
    assert isinstance(config, ProjectConfig)
    config.for_file(root / probe)
    config.is_excluded(root / probe)
    if config.release is not None:
        assert normalise_release(config.release) is not None


def test_seed_files_are_valid() -> None:
    """The seeds the mutations start from are themselves accepted (else the fuzzing is idle)."""
    assert parse_flake_lock(json.loads(LOCK_BYTES), FLEET / "flake.lock").nodes
    assert parse_options_bytes(OPTIONS_BYTES, "options.json")
    tomllib.loads(CONFIG_BYTES.decode())
    load_config(SEED_DIR / "config.toml")
    assert SEEDS
