"""`check`'s result cache and worker processes, through the real CLI.

To see that a result was re-used (and not computed again), the cached messages are rewritten
in the cache file: a hit prints the rewritten text, a miss the real one.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli

FLEET = REPO / "examples" / "fleet"
MARK = "from the cache"


@pytest.fixture
def fleet(tmp_path: Path) -> Path:
    target = tmp_path / "fleet"
    shutil.copytree(FLEET, target)
    return target


@pytest.fixture
def cache_env(tmp_path: Path) -> dict[str, str]:
    return {"NIXLS_ASSIST_CACHE_DIR": str(tmp_path / "cache")}


def check(cwd: Path, env: dict[str, str], *flags: str) -> dict:
    done = run_cli("check", "--format", "json", "--fail-on", "never", *flags, ".",
                   cwd=cwd, env=env)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    report["summary"].pop("seconds")
    return report


def messages(report: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for finding in report["findings"]:
        out.setdefault(finding["file"], []).append(finding["message"])
    return out


def cache_file(env: dict[str, str]) -> Path:
    (path,) = (Path(env["NIXLS_ASSIST_CACHE_DIR"]) / "check").glob("*.json")
    return path


def mark_cached(env: dict[str, str]) -> None:
    """Rewrite every cached finding's message to MARK (and drop the run cache's records,
    which would answer the unchanged run before the result cache is asked)."""
    shutil.rmtree(Path(env["NIXLS_ASSIST_CACHE_DIR"]) / "check" / "runs", ignore_errors=True)
    path = cache_file(env)
    data = json.loads(path.read_text())
    for entry in data["entries"].values():
        for finding in entry["findings"]:
            finding[4] = MARK
    path.write_text(json.dumps(data))


def test_warm_run_reuses_results_and_prints_the_same(fleet: Path, cache_env: dict) -> None:
    cold = check(fleet, cache_env)
    assert cold["findings"], "the fleet has planted findings"
    assert check(fleet, cache_env) == cold
    assert check(fleet, cache_env, "--no-cache") == cold
    mark_cached(cache_env)
    warm = messages(check(fleet, cache_env))
    assert all(m == MARK for ms in warm.values() for m in ms)
    # --no-cache neither reads nor writes it
    assert check(fleet, cache_env, "--no-cache") == cold
    assert messages(check(fleet, cache_env)) == warm


def test_changed_file_is_checked_again(fleet: Path, cache_env: dict) -> None:
    cold = check(fleet, cache_env)
    mark_cached(cache_env)
    laptop = fleet / "hosts/laptop/configuration.nix"
    laptop.write_bytes(laptop.read_bytes() + b"\n# edited\n")
    after = messages(check(fleet, cache_env))
    assert after["hosts/laptop/configuration.nix"] == \
        messages(cold)["hosts/laptop/configuration.nix"]
    assert after["hosts/server/configuration.nix"] == [MARK]


def test_changed_lock_selection_or_workspace_module_invalidates(fleet: Path,
                                                                cache_env: dict) -> None:
    cold = check(fleet, cache_env)
    real = messages(cold)

    mark_cached(cache_env)
    lock = fleet / "flake.lock"
    data = json.loads(lock.read_text())
    data["nodes"]["nixpkgs"]["locked"]["lastModified"] += 1
    lock.write_text(json.dumps(data, indent=2))
    assert messages(check(fleet, cache_env)) == real

    mark_cached(cache_env)
    ignored = check(fleet, cache_env, "--ignore", "NXA5")
    assert all(MARK not in ms for ms in messages(ignored).values())
    assert not any(f["code"].startswith("NXA5") for f in ignored["findings"])

    mark_cached(cache_env)
    (fleet / "modules").mkdir(exist_ok=True)
    (fleet / "modules/options.nix").write_text(
        "{ lib, ... }:\n{\n  options.fleet.role = lib.mkOption { type = lib.types.str; };\n}\n")
    after = messages(check(fleet, cache_env))
    assert {k: v for k, v in after.items() if k in real} == real


def test_damaged_cache_is_reported_once_and_rebuilt(fleet: Path, cache_env: dict) -> None:
    cold = check(fleet, cache_env)
    cache_file(cache_env).write_bytes(b"{\"format\": 1, \"entries\": {\x00 not json")
    done = run_cli("check", "--format", "json", "--fail-on", "never", ".", cwd=fleet,
                   env=cache_env)
    assert done.returncode == 0
    assert done.stderr.count("damaged result cache") == 1
    report = json.loads(done.stdout)
    report["summary"].pop("seconds")
    assert report == cold
    again = run_cli("check", "--format", "json", "--fail-on", "never", ".", cwd=fleet,
                    env=cache_env)
    assert "damaged" not in again.stderr
    # a damaged entry (wrong shape) is only a miss
    data = json.loads(cache_file(cache_env).read_text())
    for entry in data["entries"].values():
        entry["findings"] = [["NXA999"]]
    cache_file(cache_env).write_text(json.dumps(data))
    assert check(fleet, cache_env) == cold


def test_config_can_turn_the_cache_off(fleet: Path, cache_env: dict) -> None:
    (fleet / ".nixls-assist.toml").write_text("cache = false\n")
    check(fleet, cache_env)
    assert not list((Path(cache_env["NIXLS_ASSIST_CACHE_DIR"]) / "check").glob("*.json"))
    (fleet / ".nixls-assist.toml").write_text("cache = \"yes\"\n")
    done = run_cli("check", ".", cwd=fleet, env=cache_env)
    assert done.returncode == 2
    assert "cache" in done.stderr and "true or false" in done.stderr


def strip(text: str) -> list[str]:
    """Text output without the timing line."""
    return [line for line in text.splitlines() if " file(s) checked in " not in line]


def test_jobs_give_the_same_output_in_the_same_order(tmp_path: Path, cache_env: dict) -> None:
    tree = tmp_path / "many"
    shutil.copytree(FLEET, tree)
    sources = sorted(p for p in (REPO / "tests/corpus/valid").glob("*.nix"))
    sources += [p for p in sorted(FLEET.rglob("*.nix")) if p.name != "flake.nix"]
    for i in range(60):
        source = sources[i % len(sources)]
        target = tree / f"hosts/h{i % 7}/{i:03d}-{source.name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
    serial = run_cli("check", "-v", "--no-cache", "--jobs", "1", "--fail-on", "never", ".",
                     cwd=tree, env=cache_env)
    parallel = run_cli("check", "-v", "--no-cache", "--jobs", "2", "--fail-on", "never", ".",
                       cwd=tree, env=cache_env)
    assert serial.returncode == parallel.returncode == 0
    assert strip(parallel.stdout) == strip(serial.stdout)
    assert len(strip(serial.stdout)) > 60
    as_json = [check(tree, cache_env, "--no-cache", "--jobs", jobs) for jobs in ("1", "2")]
    assert as_json[0] == as_json[1]
    # the worker processes' results fill the cache like the serial ones
    filled = check(tree, cache_env, "--jobs", "2")
    assert filled == as_json[0]
    mark_cached(cache_env)
    assert all(m == MARK for ms in messages(check(tree, cache_env)).values() for m in ms)
    bad = run_cli("check", "--jobs", "0", ".", cwd=tree, env=cache_env)
    assert bad.returncode == 2
