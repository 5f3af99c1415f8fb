"""`check`'s run cache, through the real CLI: an unchanged repository gets the recorded output
back without the checker being imported; any change to what the run read runs it again.

Whether a run was replayed is seen in what it imported (`-X importtime`): a replay imports
`nixls_assist.run_cache` and nothing of the checker.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli

FLEET = REPO / "examples" / "fleet"
CHECKER = "nixls_assist.cli.main"


@pytest.fixture
def fleet(tmp_path: Path) -> Path:
    target = tmp_path / "work" / "fleet"
    shutil.copytree(FLEET, target)
    return target


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"NIXLS_ASSIST_CACHE_DIR": str(tmp_path / "cache")}


def run(cwd: Path, env: dict[str, str], *flags: str) -> tuple[subprocess.CompletedProcess[str],
                                                              bool]:
    """(the finished run with import lines taken out of stderr, whether it was replayed)."""
    done = run_cli("check", *flags, ".", cwd=cwd, env={**env, "PYTHONPROFILEIMPORTTIME": "1"})
    imports = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
    assert imports, done.stderr
    replayed = not any(line.rstrip().endswith(CHECKER) for line in imports)
    done.stderr = "".join(line + "\n" for line in done.stderr.splitlines()
                          if not line.startswith("import time:"))
    return done, replayed


def settle(cwd: Path, env: dict[str, str], *flags: str) -> subprocess.CompletedProcess[str]:
    """Run until the record is made (the first run ever also unpacks the embedded index,
    which the record notices once)."""
    first, replayed = run(cwd, env, *flags)
    assert not replayed
    for _ in range(2):
        _, replayed = run(cwd, env, *flags)
        if replayed:
            return first
    raise AssertionError("never replayed")


def without_seconds(stdout: str) -> dict:
    report = json.loads(stdout)
    assert isinstance(report["summary"].pop("seconds"), float)
    return report


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_a_replay_is_the_run_it_recorded(fleet: Path, env: dict[str, str], fmt: str) -> None:
    cold = settle(fleet, env, "--format", fmt)
    warm, replayed = run(fleet, env, "--format", fmt)
    assert replayed
    assert warm.returncode == cold.returncode == 1
    assert warm.stderr == cold.stderr
    if fmt == "json":
        assert without_seconds(warm.stdout) == without_seconds(cold.stdout)
    elif fmt == "text":
        strip = [line.split(" checked in ")[0] for line in cold.stdout.splitlines()]
        assert [line.split(" checked in ")[0] for line in warm.stdout.splitlines()] == strip
        assert " checked in 0.0" in warm.stdout.splitlines()[-1]  # the replay's own time
    else:
        assert warm.stdout == cold.stdout


def test_a_touched_file_runs_again(fleet: Path, env: dict[str, str]) -> None:
    settle(fleet, env)
    module = next(fleet.rglob("*.nix"))
    os.utime(module, ns=(1_000_000_000, 1_000_000_000))
    _, replayed = run(fleet, env)
    assert not replayed
    _, replayed = run(fleet, env)
    assert replayed  # recorded again


def test_a_new_nix_file_is_checked(fleet: Path, env: dict[str, str]) -> None:
    settle(fleet, env, "--format", "json")
    (fleet / "hosts" / "extra.nix").write_text('{ ... }: { networking.hostName = "extra"; }\n')
    done, replayed = run(fleet, env, "--format", "json")
    assert not replayed
    assert "hosts/extra.nix" in {f["file"] for f in json.loads(done.stdout)["files"]}


def test_an_edited_lock_runs_again(fleet: Path, env: dict[str, str]) -> None:
    settle(fleet, env)
    lock = fleet / "flake.lock"
    data = json.loads(lock.read_text())
    lock.write_text(json.dumps(data, indent=4) + "\n")
    _, replayed = run(fleet, env)
    assert not replayed


def test_a_new_config_file_runs_again(fleet: Path, env: dict[str, str]) -> None:
    settle(fleet, env, "--format", "json")
    (fleet / ".nixls-assist.toml").write_text('ignore = ["NXA"]\n')
    done, replayed = run(fleet, env, "--format", "json")
    assert not replayed
    assert json.loads(done.stdout)["findings"] == []


def test_a_config_in_a_parent_directory_runs_again(fleet: Path, env: dict[str, str]) -> None:
    settle(fleet, env)
    (fleet.parent / ".nixls-assist.toml").write_text('ignore = ["NXA"]\n')
    _, replayed = run(fleet, env)
    assert not replayed


def test_each_command_line_has_its_own_record(fleet: Path, env: dict[str, str]) -> None:
    settle(fleet, env)
    done, replayed = run(fleet, env, "--format", "json")
    assert not replayed
    json.loads(done.stdout)
    done, replayed = run(fleet, env, "--today", "2030-01-01")
    assert not replayed


def test_a_damaged_record_is_rebuilt(fleet: Path, env: dict[str, str]) -> None:
    cold = settle(fleet, env)
    (record,) = (Path(env["NIXLS_ASSIST_CACHE_DIR"]) / "check" / "runs").glob("*.json")
    for damage in (b"{not json", b'{"format": 1, "observed": 3}', record.read_bytes()[:100]):
        record.write_bytes(damage)
        done, replayed = run(fleet, env)
        assert not replayed
        assert done.returncode == cold.returncode and done.stderr == cold.stderr
    _, replayed = run(fleet, env)
    assert replayed


def test_nothing_is_recorded_without_the_result_cache(fleet: Path, env: dict[str, str]) -> None:
    for _ in range(2):
        _, replayed = run(fleet, env, "--no-cache")
        assert not replayed
    assert not list((Path(env["NIXLS_ASSIST_CACHE_DIR"]) / "check" / "runs").glob("*.json"))


def test_a_new_commit_runs_again(fleet: Path, env: dict[str, str]) -> None:
    """NXA301 compares with the file at git `HEAD`: a commit moves it."""
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c",
           "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=fleet, check=True)
    subprocess.run([*git, "add", "."], cwd=fleet, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "fleet"], cwd=fleet, check=True)
    settle(fleet, env)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "again"], cwd=fleet,
                   check=True)
    _, replayed = run(fleet, env)
    assert not replayed


def test_a_program_other_than_git_is_not_recorded() -> None:
    from nixls_assist.run_cache import Recording

    recording = Recording(["check", "."])
    recording._audit("subprocess.Popen", ("nix", ["nix", "eval"], None, None))
    recording.allow()
    recording.save(0)
    assert recording.unsafe == "ran nix"
