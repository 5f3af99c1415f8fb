"""Every output format of `check` on one small project: JSON snapshot, SARIF schema, GitHub."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import run_cli

HERE = Path(__file__).parent
PROJECT = HERE / "fixtures" / "project"
SNAPSHOTS = HERE / "snapshots"
SARIF_SCHEMA = HERE / "schemas" / "sarif-schema-2.1.0.json"


def _check(*args: str):  # type: ignore[no-untyped-def]
    return run_cli("check", *args, cwd=PROJECT)


def _snapshot(name: str, actual: str, request: pytest.FixtureRequest) -> None:
    path = SNAPSHOTS / name
    update = request.config.getoption("--snapshot-update")
    if update or not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        if not update:
            pytest.fail(f"new snapshot written: {path.name}; read it, then re-run")
    assert actual == path.read_text(encoding="utf-8")


def test_json_contract_snapshot(request: pytest.FixtureRequest) -> None:
    result = _check("--format", "json")
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    # The contract of DESIGN.md: these keys, these types.
    assert document["version"] == 1
    assert document["tool"]["name"] == "nixls-assist"
    summary = document["summary"]
    assert set(summary) >= {"files", "findings", "errors", "warnings", "infos", "seconds"}
    assert summary["findings"] == len(document["findings"])
    for finding in document["findings"]:
        assert set(finding) >= {"code", "severity", "file", "range", "message", "fixes"}
        assert set(finding["range"]) == {"start", "end"}
        assert set(finding["range"]["start"]) == {"line", "character"}
        for fix in finding["fixes"]:
            assert {"title", "edits"} <= set(fix)
            for edit in fix["edits"]:
                assert {"range", "newText"} <= set(edit)
    # Sorted (file, line, code) so CI diffs stay quiet; excluded and generated files absent.
    keys = [(f["file"], f["range"]["start"]["line"], f["code"]) for f in document["findings"]]
    assert keys == sorted(keys)
    assert not any(f["file"].startswith("generated/") for f in document["findings"])
    summary["seconds"] = 0.0
    _snapshot("project.json", json.dumps(document, indent=2, ensure_ascii=False) + "\n", request)


def test_text_output(request: pytest.FixtureRequest) -> None:
    result = _check()
    assert result.returncode == 1
    text = result.stdout.rsplit(" checked in ", 1)[0]  # drop the timing
    _snapshot("project.txt", text + "\n", request)


def test_sarif_validates_against_the_official_schema() -> None:
    result = _check("--format", "sarif")
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(document), key=str)
    assert errors == [], [e.message for e in errors[:5]]
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(r["id"] for r in rules)
    for result_item in run["results"]:
        assert rules[result_item["ruleIndex"]]["id"] == result_item["ruleId"]
        location = result_item["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert location["region"]["startLine"] >= 1
    renamed = [r for r in run["results"] if r["ruleId"] == "NXA101"]
    assert renamed and all(r["fixes"] for r in renamed)
    change = renamed[0]["fixes"][0]["artifactChanges"][0]
    assert change["artifactLocation"]["uri"] == "hosts/atlas/configuration.nix"
    assert change["replacements"][0]["insertedContent"]["text"] == "hardware.graphics.enable"
    with_help = {r["id"]: r for r in rules}
    assert "## Why is this bad?" in with_help["NXA001"]["help"]["markdown"]
    assert with_help["NXA001"]["helpUri"].startswith("https://")


def test_sarif_with_no_findings_is_valid(tmp_path: Path) -> None:
    (tmp_path / "default.nix").write_text("{ pkgs }: pkgs.hello\n")
    result = run_cli("check", "--format", "sarif", "default.nix", cwd=tmp_path)
    document = json.loads(result.stdout)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(document, schema, cls=jsonschema.Draft4Validator)
    assert document["runs"][0]["results"] == []


def test_github_annotations() -> None:
    result = _check("--format", "github")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[-1] == "nixls-assist: 4 file(s) checked, 5 finding(s)"
    annotations = lines[:-1]
    assert len(annotations) == 5
    assert annotations[0] == (
        "::warning file=hosts/atlas/configuration.nix,line=6,col=3,endLine=6,endColumn=25,"
        "title=NXA101 renamed-option::`hardware.opengl.enable` was renamed to "
        "`hardware.graphics.enable` in 24.11 (release inferred; pinned to 24.11 via "
        "--release / configuration)"
    )
    assert any(a.startswith("::error file=hosts/legacy/broken.nix,line=4,") and
               "title=NXA001 syntax-error::" in a for a in annotations)


def test_github_escapes_newlines_and_commas(tmp_path: Path) -> None:
    (tmp_path / "a,b.nix").write_text("{ x = 1; x = 2; }\n")
    result = run_cli("check", "--format", "github", "--select", "NXA002", "a,b.nix",
                     cwd=tmp_path)
    first = result.stdout.splitlines()[0]
    assert first.startswith("::error file=a%2Cb.nix,line=1,col=")


def test_statistics_text_and_json() -> None:
    result = _check("--statistics")
    assert result.stdout.splitlines() == [
        "3  NXA101  renamed-option  (3 fixable)",
        "1  NXA001  syntax-error",
        "1  NXA002  duplicate-attribute",
    ]
    document = json.loads(_check("--statistics", "--format", "json").stdout)
    assert document["statistics"][0] == {"code": "NXA101", "name": "renamed-option",
                                         "count": 3, "fixable": 3}
