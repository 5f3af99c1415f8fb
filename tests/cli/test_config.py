"""`.nixls-assist.toml`: discovery, what each key does, and precise errors (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nixls_assist.context.config import ConfigFinder, load_config
from nixls_assist.errors import ConfigError
from tests.conftest import run_cli

RENAMED = "{ config, pkgs, ... }:\n{\n  hardware.opengl.enable = true;\n}\n"


def _write(root: Path, files: dict[str, str]) -> Path:
    (root / ".git").mkdir(exist_ok=True)  # a repository root: discovery stops here
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _codes(root: Path, *args: str) -> list[tuple[str, str, str]]:
    result = run_cli("check", "--format", "json", *args, cwd=root)
    assert result.returncode in (0, 1), result.stderr
    return [(f["file"], f["code"], f["severity"]) for f in json.loads(result.stdout)["findings"]]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('relase = "24.11"\n',
         "unknown key `relase` (allowed: release, nixpkgs-input, home-manager-input, select, "
         "ignore, exclude, skill-references, fail-on, severity, overrides, cache, lock-age, "
         "download, source-url)"),
        ('download = "yes"\n', "`download`: expected true or false, got 'yes'"),
        ('source-url = "https://mirror.example/nixpkgs.tar.gz"\n',
         "`source-url`: expected an http(s) URL template with `{rev}`"),
        ('source-url = "https://mirror.example/{commit}.tar.gz"\n',
         "`source-url`: expected an http(s) URL template with `{rev}`"),
        ('source-url = "https://mirror.example/{rev}/{branch}.tar.gz"\n',
         "`source-url`: expected only `{owner}`, `{repo}` and `{rev}` as placeholders"),
        ('release = "lts"\n', "`nixos-24.11`, `release-24.11` or `unstable`, got 'lts'"),
        ('release = "24.12"\n', "`nixos-24.11`, `release-24.11` or `unstable`, got '24.12'"),
        ("release = 24.11\n", "`nixos-24.11`, `release-24.11` or `unstable`, got 24.11"),
        ('select = "NXA1"\n', "`select`: expected a list of non-empty strings, got 'NXA1'"),
        ('ignore = ["NXA9"]\n', "`ignore`: expected a finding code or prefix such as NXA101 "
                                "or NXA2 (see `nixls-assist explain`), got 'NXA9'"),
        ('fail-on = "fatal"\n', "`fail-on`: expected one of error, warning, info, never, "
                                "got 'fatal'"),
        ('[severity]\nNXA101 = "critical"\n',
         "`severity.NXA101`: expected one of error, warning, info, got 'critical'"),
        ('[[overrides]]\nrelease = "23.11"\n',
         "`overrides[0].paths`: expected a non-empty list of globs"),
        ('[[overrides]]\npaths = ["a/**"]\nselect = ["NXA1"]\n',
         "unknown key `overrides[0].select` (allowed: paths, release, ignore)"),
        ('nixpkgs-input = ""\n',
         "`nixpkgs-input`: expected a flake input name (a non-empty string), got ''"),
        ("release = \n", "invalid TOML: "),
    ],
)
def test_config_errors_exit_2_naming_file_and_key(tmp_path: Path, toml: str, message: str) -> None:
    _write(tmp_path, {".nixls-assist.toml": toml, "a.nix": "{ }\n"})
    result = run_cli("check", "a.nix", cwd=tmp_path)
    assert result.returncode == 2
    config = (tmp_path / ".nixls-assist.toml").resolve()
    assert result.stderr.startswith(f"nixls-assist: {config}: ")
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_explicit_config_that_does_not_exist(tmp_path: Path) -> None:
    result = run_cli("check", "--config", "missing.toml", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert "missing.toml: configuration file not found" in result.stderr


def test_release_severity_and_override_per_glob(tmp_path: Path) -> None:
    _write(tmp_path, {
        ".nixls-assist.toml": (
            'release = "24.11"\n'
            '[severity]\nNXA101 = "error"\n'
            '[[overrides]]\npaths = ["legacy/**"]\nrelease = "23.11"\n'
        ),
        "new/configuration.nix": RENAMED,
        "legacy/configuration.nix": RENAMED,  # hardware.opengl is still current in 23.11
    })
    assert _codes(tmp_path) == [("new/configuration.nix", "NXA101", "error")]


def test_select_ignore_and_cli_precedence(tmp_path: Path) -> None:
    _write(tmp_path, {
        ".nixls-assist.toml": 'release = "24.11"\nignore = ["NXA101"]\n',
        "host.nix": RENAMED.replace("true;", "true;\n  a = 1;\n  a = 2;"),
    })
    assert [c for _, c, _ in _codes(tmp_path)] == ["NXA002"]
    # --ignore adds to the config's list; --select replaces the config's `select`.
    assert _codes(tmp_path, "--ignore", "NXA002") == []
    assert [c for _, c, _ in _codes(tmp_path, "--select", "NXA1")] == []
    # --release beats the config file.
    assert [c for _, c, _ in _codes(tmp_path, "--ignore", "NXA002", "--release", "23.11")] == []


def test_exclude_and_force_exclude(tmp_path: Path) -> None:
    _write(tmp_path, {
        ".nixls-assist.toml": 'exclude = ["generated/", "*.gen.nix"]\n',
        "generated/big.nix": "{ broken\n",
        "x.gen.nix": "{ broken\n",
        "ok.nix": "{ }\n",
    })
    result = run_cli("check", "--format", "json", ".", cwd=tmp_path)
    assert json.loads(result.stdout)["summary"]["files"] == 1
    # Files named explicitly are checked, unless --force-exclude (what pre-commit uses).
    assert run_cli("check", "x.gen.nix", cwd=tmp_path).returncode == 1
    forced = run_cli("check", "--force-exclude", "x.gen.nix", "ok.nix", cwd=tmp_path)
    assert forced.returncode == 0, forced.stdout


def test_nearest_config_wins_and_fail_on(tmp_path: Path) -> None:
    _write(tmp_path, {
        ".nixls-assist.toml": 'fail-on = "error"\nrelease = "24.11"\n',
        "hosts/a.nix": RENAMED,
        "hosts/special/.nixls-assist.toml": 'release = "23.11"\n',
        "hosts/special/b.nix": RENAMED,
    })
    assert _codes(tmp_path) == [("hosts/a.nix", "NXA101", "warning")]
    # NXA101 is a warning: the config's fail-on = "error" makes the run pass ...
    assert run_cli("check", cwd=tmp_path).returncode == 0
    # ... and the flag overrides it.
    assert run_cli("check", "--fail-on", "warning", cwd=tmp_path).returncode == 1


def test_loader_is_pure_and_reusable(tmp_path: Path) -> None:
    """The server reuses the loader: values come back typed, errors as ConfigError."""
    _write(tmp_path, {".nixls-assist.toml": (
        'release = "nixos-24.05"\nnixpkgs-input = "nixpkgs-stable"\n'
        'skill-references = ["notes"]\n[severity]\nnxa104 = "warning"\n'
    )})
    config = load_config(tmp_path / ".nixls-assist.toml")
    assert config.release == "24.05"
    assert config.nixpkgs_input == "nixpkgs-stable"
    assert config.skill_references == (tmp_path.resolve() / "notes",)
    assert list(config.severities) == ["NXA104"]
    finder = ConfigFinder()
    nested = tmp_path / "deep" / "er"
    nested.mkdir(parents=True)
    assert finder.for_path(nested / "x.nix").path == config.path
    (tmp_path / ".nixls-assist.toml").write_text("[severity]\nNXA101 = 1\n")
    with pytest.raises(ConfigError, match=r"`severity.NXA101`: expected one of"):
        load_config(tmp_path / ".nixls-assist.toml")


def test_suppressions_same_line_line_before_and_lists(tmp_path: Path) -> None:
    _write(tmp_path, {"host.nix": (
        "{\n"
        "  a = 1;\n"
        "  # nixls-assist: ignore NXA002 -- merged by the module system anyway\n"
        "  a = 2;\n"
        "  b = 1;\n"
        "  b = 2; # nixls-assist: ignore NXA004, NXA002\n"
        "  c = 1;\n"
        "  c = 2;\n"
        '  d = "# nixls-assist: ignore NXA002";\n'
        "  d = 3;\n"
        "}\n"
    )})
    found = _codes(tmp_path, "--select", "NXA0")
    assert found == [
        ("host.nix", "NXA005", "info"),  # NXA004 in line 6 silences nothing
        ("host.nix", "NXA002", "error"),  # line 8: no suppression
        ("host.nix", "NXA002", "error"),  # line 10: the text in a string is no comment
    ]
    result = json.loads(run_cli("check", "--format", "json", "--select", "NXA0", "host.nix",
                                cwd=tmp_path).stdout)
    lines = [f["range"]["start"]["line"] for f in result["findings"]]
    assert lines == [5, 7, 9]
    assert "`NXA004` suppresses nothing" in result["findings"][0]["message"]


def test_unused_suppression_not_reported_for_codes_that_did_not_run(tmp_path: Path) -> None:
    _write(tmp_path, {"host.nix": "{\n  # nixls-assist: ignore NXA002\n  a = 1;\n}\n"})
    assert _codes(tmp_path, "--select", "NXA0", "--ignore", "NXA002") == []
    assert _codes(tmp_path, "--select", "NXA0", "--ignore", "NXA005") == []
    assert [c for _, c, _ in _codes(tmp_path, "--select", "NXA0")] == ["NXA005"]
