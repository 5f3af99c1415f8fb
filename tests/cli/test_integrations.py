"""The pre-commit hook and the GitHub Action call `check` the way the tests exercise it."""

from __future__ import annotations

import shlex

import yaml

from tests.conftest import REPO


def test_pre_commit_hook() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    hook = hooks["nixls-assist"]
    assert shlex.split(hook["entry"]) == ["nixls-assist", "check", "--force-exclude"]
    assert hook["types"] == ["nix"] and hook["language"] == "python"
    assert "--fix" in hooks["nixls-assist-fix"]["entry"]


def test_github_action_is_composite_with_annotations_and_sarif() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    scripts = " ".join(step.get("run", "") for step in action["runs"]["steps"])
    assert "pip install" in scripts
    assert "nixls-assist check --format github" in scripts
    assert "nixls-assist check --format sarif --fail-on never" in scripts
    uploads = [s for s in action["runs"]["steps"] if "upload-sarif" in s.get("uses", "")]
    assert uploads and uploads[0]["if"] == "always() && inputs.sarif == 'true'"
