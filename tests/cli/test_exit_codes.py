"""`check` in a subprocess: exit codes 0/1/2, and awkward inputs handled without a traceback."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import REPO, run_cli

VALID = REPO / "tests" / "corpus" / "valid"


def _json(result) -> dict:  # type: ignore[no-untyped-def]
    assert result.stdout, result.stderr
    return json.loads(result.stdout)


def _no_traceback(result) -> None:  # type: ignore[no-untyped-def]
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout


def test_clean_file_exits_0(tmp_path: Path) -> None:
    (tmp_path / "default.nix").write_text("{ pkgs }: pkgs.hello\n")
    result = run_cli("check", "default.nix", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 file(s) checked" in result.stdout


def test_broken_file_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "broken.nix").write_text("{ services.openssh.enable = true }\n")
    result = run_cli("check", "--format", "json", "--select", "NXA0", "broken.nix", cwd=tmp_path)
    assert result.returncode == 1
    codes = [f["code"] for f in _json(result)["findings"]]
    assert codes == ["NXA001"]
    _no_traceback(result)


def test_fail_on_threshold(tmp_path: Path) -> None:
    # An unused suppression is an info finding: it fails only with --fail-on info.
    (tmp_path / "a.nix").write_text("{\n  # nixls-assist: ignore NXA002\n  a = 1;\n}\n")
    assert run_cli("check", "a.nix", cwd=tmp_path).returncode == 0
    assert run_cli("check", "--fail-on", "info", "a.nix", cwd=tmp_path).returncode == 1
    (tmp_path / "a.nix").write_text("{ a = 1; a = 2; }\n")
    assert run_cli("check", "a.nix", cwd=tmp_path).returncode == 1
    assert run_cli("check", "--fail-on", "never", "a.nix", cwd=tmp_path).returncode == 0


def test_bad_flag_exits_2_with_message(tmp_path: Path) -> None:
    result = run_cli("check", "--no-such-flag", cwd=tmp_path)
    assert result.returncode == 2
    assert "unrecognized arguments: --no-such-flag" in result.stderr
    result = run_cli("check", "--format", "xml", cwd=tmp_path)
    assert result.returncode == 2
    assert "invalid choice: 'xml'" in result.stderr


def test_unknown_select_code_exits_2(tmp_path: Path) -> None:
    result = run_cli("check", "--select", "NXA9", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert "--select NXA9: no finding code starts with it" in result.stderr


def test_bad_release_exits_2(tmp_path: Path) -> None:
    result = run_cli("check", "--release", "lts", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert "no such NixOS release; expected a release `YY.05` / `YY.11`" in result.stderr


def test_missing_path_exits_2(tmp_path: Path) -> None:
    result = run_cli("check", "nope.nix", cwd=tmp_path)
    assert result.returncode == 2
    assert "nope.nix: no such file or directory" in result.stderr
    _no_traceback(result)


def test_fix_on_stdin_exits_2(tmp_path: Path) -> None:
    result = run_cli("check", "--fix", "-", cwd=tmp_path, stdin=b"{ }\n")
    assert result.returncode == 2
    assert "--fix cannot rewrite stdin" in result.stderr


def test_invalid_utf8_is_checked_with_a_note(tmp_path: Path) -> None:
    (tmp_path / "latin1.nix").write_bytes(b'{ description = "caf\xe9"; }\n')
    result = run_cli("check", "--format", "json", "--select", "NXA0", "latin1.nix", cwd=tmp_path)
    findings = _json(result)["findings"]
    assert [(f["code"], f["severity"]) for f in findings] == [("NXA003", "info")]
    assert "not valid UTF-8" in findings[0]["message"]
    assert result.returncode == 0
    _no_traceback(result)


def test_binary_file_is_skipped_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "blob.nix").write_bytes(b"\x7fELF\x00\x01\x02" * 100)
    result = run_cli("check", "--format", "json", "--select", "NXA0", "blob.nix", cwd=tmp_path)
    findings = _json(result)["findings"]
    assert [(f["code"], f["severity"]) for f in findings] == [("NXA003", "warning")]
    assert "binary file" in findings[0]["message"]
    assert result.returncode == 1
    _no_traceback(result)


def test_20_mb_generated_file_is_skipped(tmp_path: Path) -> None:
    line = b'  pkg%07d = { version = "1.0"; hash = "sha256-' + b"A" * 43 + b'="; };\n'
    body = b"".join(line % n for n in range(20 * 1024 * 1024 // len(line) + 1))
    (tmp_path / "generated.nix").write_bytes(b"{\n" + body + b"}\n")
    result = run_cli("check", "--format", "json", "--select", "NXA0",
                     "generated.nix", cwd=tmp_path)
    findings = _json(result)["findings"]
    assert [f["code"] for f in findings] == ["NXA003"]
    assert "file too large" in findings[0]["message"]
    _no_traceback(result)


def test_empty_file_is_a_syntax_error(tmp_path: Path) -> None:
    (tmp_path / "empty.nix").write_bytes(b"")
    result = run_cli("check", "--format", "json", "--select", "NXA0", "empty.nix", cwd=tmp_path)
    findings = _json(result)["findings"]
    assert [f["code"] for f in findings] == ["NXA001"]  # Nix rejects an empty file too
    assert "end of file" in findings[0]["message"]
    _no_traceback(result)


def test_directory_without_nix_files(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("nothing here\n")
    result = run_cli("check", ".", cwd=tmp_path)
    assert result.returncode == 0
    assert "no .nix files found in ." in result.stderr
    assert "0 file(s) checked" in result.stdout


def test_stdin(tmp_path: Path) -> None:
    result = run_cli("check", "--format", "json", "--select", "NXA0",
                     "--stdin-filename", "hosts/a.nix", "-", cwd=tmp_path,
                     stdin=b"{ a = 1; a = 2; }\n")
    document = _json(result)
    assert [(f["file"], f["code"]) for f in document["findings"]] == [("hosts/a.nix", "NXA002")]


def test_whole_valid_corpus_has_no_errors() -> None:
    result = run_cli("check", "--format", "json", "--fail-on", "error", str(VALID))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    document = _json(result)
    assert document["summary"]["files"] == len(list(VALID.glob("*.nix")))
    assert document["summary"]["errors"] == 0


def test_explain_known_and_unknown_codes() -> None:
    result = run_cli("explain", "NXA005")
    assert result.returncode == 0
    assert result.stdout.startswith("NXA005 unused-suppression [info]")
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Fix safety",
                    "## References"):
        assert section in result.stdout
    assert run_cli("explain", "unused-suppression").stdout == result.stdout
    listing = run_cli("explain")
    assert listing.returncode == 0 and "NXA001" in listing.stdout and "NXA005" in listing.stdout
    unknown = run_cli("explain", "NXA999")
    assert unknown.returncode == 2
    assert "unknown finding code 'NXA999'" in unknown.stderr
