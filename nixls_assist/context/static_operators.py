"""The operators of the static evaluator: `++`, `//`, `==`, `+`, `&&`, …"""

from __future__ import annotations

from pathlib import Path

from nixls_assist.context.static_builtins import _splice, _str, _u, merge_attrs
from nixls_assist.context.static_values import (
    AttrsV,
    BoolV,
    External,
    ListV,
    NullV,
    NumV,
    PathV,
    StrV,
    Thunk,
    Value,
    Where,
)


def binary(ev, op: str, lt: Thunk, rt: Thunk, where: Where) -> Value:
    if op == "++":
        return ListV(_splice(lt.force(), lt.where or where)
                     + _splice(rt.force(), rt.where or where))
    if op == "//":
        return merge_attrs(lt.force(), rt.force(), where)
    left = lt.force()
    if op in ("&&", "||", "->"):
        if isinstance(left, BoolV):
            if op == "&&" and not left.value:
                return BoolV(False)
            if op == "||" and left.value:
                return BoolV(True)
            if op == "->" and not left.value:
                return BoolV(True)
            right = rt.force()
            return right if isinstance(right, BoolV) else _u(where, "an unknown condition")
        return _u(where, "an unknown condition")
    right = rt.force()
    if op in ("==", "!="):
        simple = (StrV, NumV, BoolV, NullV, PathV)
        if isinstance(left, simple) and isinstance(right, simple):
            return BoolV((left == right) == (op == "=="))
        equal = _equal(left, right)
        if equal is not None:  # `v != { }` over `rakeLeaves`' values
            return BoolV(equal == (op == "=="))
        return _u(where, "an unknown comparison")
    if op == "+":
        from nixls_assist.context.static_eval import coerce_path

        left, right = coerce_path(left), coerce_path(right)
        if isinstance(left, PathV) and isinstance(right, External) \
                and left.path.is_relative_to(ev.root):
            # `./hosts + "/${pkgs.system}.nix"`: a file of the repository, not known which
            return _u(where, "a path with an unknown part")
        if isinstance(left, External) or isinstance(right, External):
            return left if isinstance(left, External) else right  # `modulesPath + "/…"`
        if isinstance(left, PathV) and isinstance(right, (StrV, PathV)):
            tail = right.value if isinstance(right, StrV) else str(right.path)
            return PathV(Path(str(left.path) + tail))
        if isinstance(left, StrV) and isinstance(right, (StrV, PathV)):
            return StrV(left.value + (_str(right) or ""))
        if isinstance(left, NumV) and isinstance(right, NumV):
            return NumV(left.value + right.value)
    if isinstance(left, NumV) and isinstance(right, NumV) and op in ("<", "<=", ">", ">="):
        results = {"<": left.value < right.value, "<=": left.value <= right.value,
                   ">": left.value > right.value, ">=": left.value >= right.value}
        return BoolV(results[op])
    return _u(where, f"an unknown `{op}`")


def _known_kind(value: Value) -> str | None:
    if isinstance(value, (StrV, NumV, BoolV, NullV, PathV)):
        return type(value).__name__
    if isinstance(value, ListV):
        return "list"
    if isinstance(value, AttrsV) and value.rest is None and not value.dynamic:
        return "set"
    return None


def _equal(left: Value, right: Value) -> bool | None:
    """Equality where it is known without forcing the contents: different kinds, or sets /
    lists of different sizes or both empty."""
    kinds = _known_kind(left), _known_kind(right)
    if None in kinds:
        return None
    if kinds[0] != kinds[1]:
        return False
    if isinstance(left, AttrsV) and isinstance(right, AttrsV):
        if left.entries.keys() != right.entries.keys():
            return False
        return True if not left.entries else None
    if isinstance(left, ListV) and isinstance(right, ListV):
        if len(left.items) != len(right.items):
            return False
        return True if not left.items else None
    return None
