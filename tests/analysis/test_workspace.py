"""analysis/: the workspace answers the editor and the CLI with one pipeline and one fix engine."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from nixls_assist.analysis import FIX_ALL, Overrides, Workspace
from nixls_assist.analysis import workspace as workspace_module
from nixls_assist.analysis.fixes import as_one_edit, fix_document
from nixls_assist.edits import apply_edits
from nixls_assist.findings import Edit, Finding, Fix, Severity, Span
from nixls_assist.syntax.document import parse

MODULE = """{ config, lib, pkgs, ... }:
{
  hardware.opengl.enable = true;
  hardware.opengl.driSupport32Bit = true;
  networking.hostName = "atlas";
}
"""


def _open(tmp_path: Path, text: str, **overrides: object) -> tuple[Workspace, str]:
    (tmp_path / ".git").mkdir()  # a repository boundary: no flake, no channels above it
    path = tmp_path / "configuration.nix"
    path.write_text(text)
    workspace = Workspace(Overrides(**overrides), roots=[tmp_path], strict_config=False)  # type: ignore[arg-type]
    uri = path.as_uri()
    workspace.documents.open(uri, 1, text)
    return workspace, uri


def _diagnose(workspace: Workspace, uri: str) -> list[Finding]:
    for step in workspace.slow_steps(uri):
        step.run()
    *_, answer = workspace.diagnose(uri)
    assert answer is not None
    return answer.value


def test_editor_fix_all_is_the_fix_engine_as_one_edit(tmp_path: Path) -> None:
    workspace, uri = _open(tmp_path, MODULE, release="24.11")
    findings = _diagnose(workspace, uri)
    assert [f.code for f in findings] == ["NXA101", "NXA101"]
    entry = workspace.documents.get(uri)
    assert entry is not None
    answer = workspace.code_actions(entry, 0, [], quickfix=False, fix_all=True)
    [action] = answer.value
    assert action.kind == FIX_ALL and len(action.edits) == 1
    fixed = apply_edits(entry.doc.source, list(action.edits)).decode()
    assert "hardware.graphics.enable = true;" in fixed
    assert "hardware.graphics.enable32Bit = true;" in fixed
    # The same engine, asked by the CLI, writes the same text.
    result = workspace.check(MODULE.encode(), tmp_path / "configuration.nix", "configuration.nix")
    assert workspace.fix(result).doc.source.decode() == fixed


def test_fix_all_waits_for_the_current_versions_findings(tmp_path: Path) -> None:
    workspace, uri = _open(tmp_path, MODULE, release="24.11")
    entry = workspace.documents.get(uri)
    assert entry is not None
    # Not analysed yet: nothing to fix, and no rule runs for a code action.
    assert workspace.code_actions(entry, 0, [], quickfix=False, fix_all=True).value == []


def test_editor_compares_state_version_with_the_text_on_disk_at_open(tmp_path: Path) -> None:
    on_disk = '{ ... }:\n{\n  system.stateVersion = "23.11";\n}\n'
    (tmp_path / "configuration.nix").write_text(on_disk)
    workspace = Workspace(Overrides(select=("NXA301",), release="24.11"), strict_config=False)
    uri = (tmp_path / "configuration.nix").as_uri()
    workspace.documents.open(uri, 1, on_disk.replace("23.11", "24.05"))
    [finding] = _diagnose(workspace, uri)
    assert finding.code == "NXA301"
    assert "the version on disk when the file was opened" in finding.message
    workspace.documents.change(uri, 2, on_disk)  # typed back: nothing to report
    assert _diagnose(workspace, uri) == []


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_editor_prefers_the_committed_state_version_and_asks_git_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "configuration.nix"
    committed = '{ ... }:\n{\n  system.stateVersion = "23.05";\n}\n'
    config.write_text(committed)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([*git, "add", "configuration.nix"], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "install"], cwd=tmp_path, check=True)
    config.write_text(committed.replace("23.05", "23.11"))  # saved, not committed
    calls: list[Path] = []
    real = workspace_module.committed_baseline

    def counting(path: Path, source: bytes) -> object:
        calls.append(path)
        return real(path, source)

    monkeypatch.setattr(workspace_module, "committed_baseline", counting)
    workspace = Workspace(Overrides(select=("NXA301",), release="24.11"), strict_config=False)
    uri = config.as_uri()
    workspace.documents.open(uri, 1, committed.replace("23.05", "24.05"))
    [finding] = _diagnose(workspace, uri)
    assert "23.05" in finding.message and "HEAD" in finding.message  # git, not the disk
    workspace.documents.change(uri, 2, committed)  # back to the committed value
    assert _diagnose(workspace, uri) == []
    assert len(calls) == 1  # looked up once per open document, not per keystroke


def test_a_broken_config_is_a_notice_for_the_editor(tmp_path: Path) -> None:
    (tmp_path / ".nixls-assist.toml").write_text("release = 12\n")
    workspace, uri = _open(tmp_path, MODULE)
    for step in workspace.slow_steps(uri):
        step.run()
    *_, answer = workspace.diagnose(uri)
    assert answer is not None
    assert any(".nixls-assist.toml" in notice for notice in answer.notices)
    assert workspace.take_notices() == ()  # returned once, with the answer


def test_fix_engine_refuses_a_fix_that_breaks_the_syntax() -> None:
    doc = parse("{ a = 1; b = 2; }\n")
    good = Finding("NXA998", Severity.WARNING, Span(9, 15), "m",
                   fixes=(Fix("rename", (Edit(Span(9, 10), "c"),)),))
    bad = Finding("NXA999", Severity.WARNING, Span(2, 8), "m",
                  fixes=(Fix("break it", (Edit(Span(6, 8), "1 +"),)),))
    outcome = fix_document(doc, [good, bad], lambda source: (parse(source), []))
    assert outcome.doc.source == b"{ a = 1; c = 2; }\n"
    assert outcome.refused == ["line 1: NXA999 fix 'break it' not applied: "
                               "the result would not parse"]


def test_one_edit_is_minimal_and_keeps_utf8_whole() -> None:
    before = "{ x = \"é\"; }".encode()
    after = "{ x = \"è\"; }".encode()
    edit = as_one_edit(before, after)
    assert edit is not None
    assert apply_edits(before, [edit]) == after
    assert edit.new_text == "è"
    assert as_one_edit(before, before) is None
