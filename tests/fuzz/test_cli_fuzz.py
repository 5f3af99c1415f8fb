"""`nixls-assist check` in a subprocess over a sample of fuzzed files: exit 0/1, never 3."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import REPO, run_cli
from tests.fuzz.conftest import fuzz_settings, long_factor
from tests.fuzz.invariants import COUNTER
from tests.fuzz.nix_strategies import NIX_SOURCES, SECRET_MARK, deep_nesting, mutated_sources

FLEET = REPO / "examples" / "fleet"
# The real lock, and the broken ones that once crashed the reader.
LOCKS = [FLEET / "flake.lock",
         *sorted((Path(__file__).parent / "regressions" / "flake-lock").glob("*.json"))]
# One subprocess checks a whole directory of inputs; the long mode runs more of them.
FILES_PER_RUN = 40


@fuzz_settings(weight=0.002 if long_factor() else 0.05)
@given(inputs=st.lists(st.one_of(mutated_sources(), NIX_SOURCES.map(str.encode)),
                       min_size=FILES_PER_RUN, max_size=FILES_PER_RUN),
       seed=st.integers(0, 2**32), lock=st.sampled_from(LOCKS))
def test_check_never_exits_3(inputs: list[bytes], seed: int, lock: Path,
                             tmp_path_factory: Any) -> None:
    root: Path = tmp_path_factory.mktemp("ws")
    (root / "flake.lock").write_bytes(lock.read_bytes())
    (root / "flake.nix").write_bytes((FLEET / "flake.nix").read_bytes())
    rng = random.Random(seed)
    for i, data in enumerate(inputs):
        folder = root / rng.choice(["hosts/a", "hosts/b", "home", "modules", "."])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"f{i}.nix").write_bytes(data)
    (root / "deep.nix").write_bytes(deep_nesting("attrs", 10_000))
    COUNTER.inputs += len(inputs) + 1
    result = run_cli("check", "--format", "json", ".", cwd=root)
    assert result.returncode in (0, 1), result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["summary"]["files"] >= len(inputs)
    assert "Traceback" not in result.stderr
    for secret in _planted(inputs):
        assert secret not in result.stdout and secret not in result.stderr, secret
    text = run_cli("check", "--format", "text", ".", cwd=root)
    assert text.returncode in (0, 1), text.stderr[-2000:]
    for secret in _planted(inputs):
        assert secret not in text.stdout, secret


def _planted(inputs: list[bytes]) -> set[str]:
    found = set()
    for data in inputs:
        text = data.decode("utf-8", errors="replace")
        start = text.find(SECRET_MARK)
        while start != -1:
            end = start + len(SECRET_MARK)
            while end < len(text) and text[end].isalnum():
                end += 1
            if end - start >= len(SECRET_MARK) + 6:
                found.add(text[start:end])
            start = text.find(SECRET_MARK, end)
    return found


def test_check_with_each_broken_lock(tmp_path: Path) -> None:
    """Regression: a corrupt flake.lock (cyclic follows, odd types) made `check` exit 3."""
    for lock in LOCKS:
        root = tmp_path / lock.stem
        (root / "hosts").mkdir(parents=True)
        (root / "flake.lock").write_bytes(lock.read_bytes())
        (root / "flake.nix").write_bytes((FLEET / "flake.nix").read_bytes())
        (root / "hosts" / "configuration.nix").write_bytes(
            (FLEET / "hosts" / "server" / "configuration.nix").read_bytes())
        result = run_cli("check", "--format", "json", ".", cwd=root)
        assert result.returncode in (0, 1), (lock.name, result.stderr[-2000:])
        json.loads(result.stdout)
