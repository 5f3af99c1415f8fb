"""The layers hold (import-linter contracts in pyproject.toml) and ruff is clean."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO


def _tool(name: str) -> str:
    found = shutil.which(name, path=os.pathsep.join([os.path.dirname(sys.executable),
                                                     os.environ.get("PATH", "")]))
    if found is None:
        pytest.fail(f"`{name}` is not installed: pip install -e '.[test]'")
    return found


def test_import_contracts_hold() -> None:
    result = subprocess.run([_tool("lint-imports")], cwd=REPO, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_ruff_is_clean() -> None:
    result = subprocess.run([_tool("ruff"), "check", "."], cwd=REPO, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]


# A finding code written as a whole string: `"NXA401"`, or a family prefix `"NXA2"`.
_CODE_LITERAL = re.compile(r"NXA\d+")


def _code_literals(tree: ast.AST) -> list[tuple[int, str]]:
    """String constants that are a finding code, except docstrings, the `code=` of a rule's
    definition and `__all__`: the only places a code may be spelled out."""
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            allowed.add(id(node.value))  # a docstring
        elif isinstance(node, ast.keyword) and node.arg == "code":
            allowed.add(id(node.value))  # NXA101 = Rule(code="NXA101", …)
        elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            allowed.update(id(n) for n in ast.walk(node.value))
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in allowed and _CODE_LITERAL.fullmatch(node.value)]


def test_no_code_is_tested_outside_its_rule() -> None:
    """Every property of a code (editor tags, secrets, needing an index, fixes) is a field
    of its `Rule`; nothing else compares a finding's code with a literal."""
    offenders = [
        f"{path.relative_to(REPO)}:{line}: {value!r}"
        for path in sorted((REPO / "nixls_assist").rglob("*.py"))
        for line, value in _code_literals(ast.parse(path.read_text(), str(path)))
    ]
    assert not offenders, "code literals outside a rule's definition:\n" + "\n".join(offenders)
