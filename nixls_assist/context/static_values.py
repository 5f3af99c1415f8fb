"""The values of the static evaluator (`static_eval.py`): just enough of Nix to follow a
flake's configurations to their module files, without evaluating anything real.

A value the evaluator cannot know is `Unknown` (it names the expression that made it so);
a value that comes from a flake input or from a module argument (`pkgs`, `config`, `lib`)
is `External`: its attributes are external too, and the library functions the evaluator
knows (`genAttrs`, `nixosSystem`, …) are recognised by name through it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Node

    from nixls_assist.context.static_eval import Env, FileUnit


@dataclass(frozen=True)
class Where:
    """An expression in a file: what `Unknown` points at."""

    file: Path
    line: int  # 1-based
    expression: str
    # The expression's bytes in the file (-1: not known); not part of its identity.
    start: int = field(default=-1, compare=False)
    end: int = field(default=-1, compare=False)


@dataclass(frozen=True)
class Unknown:
    where: Where | None
    reason: str


@dataclass(frozen=True)
class UnknownCall(Unknown):
    """A call of a flake input's function the evaluator does not know, over the
    repository's values: its result is not known, but what it was called with is."""

    function: External | None = None
    argument: Thunk | None = None


@dataclass(frozen=True)
class External:
    """Something from outside the repository: a flake input, `pkgs`, `config`, `lib`."""

    name: str
    local_lib: bool = False  # a module argument (`lib`, `config`): not a flake input


@dataclass(frozen=True)
class PathV:
    path: Path


@dataclass(frozen=True)
class StrV:
    value: str


@dataclass(frozen=True)
class NumV:
    value: float


@dataclass(frozen=True)
class BoolV:
    value: bool


@dataclass(frozen=True)
class NullV:
    pass


@dataclass
class ListV:
    items: list[Thunk]


@dataclass
class AttrsV:
    entries: dict[str, Thunk]
    rest: Value | None = None  # where missing attributes come from (`nixpkgs.lib // { … }`)
    # What may add attributes the evaluator cannot name (`${…}` names, unfollowed imports).
    dynamic: list[Unknown] = field(default_factory=list)
    origin: Path | None = None  # the file whose whole value this is (`import ./x.nix`)
    # The attribute set literal it was made from, with its scope (`fleet_inputs.py` reads
    # which inputs it mentions); None for sets made by merging or by builtins.
    source: tuple[Node, Env, FileUnit] | None = None


@dataclass
class FuncV:
    node: Node  # a function_expression
    env: Env
    unit: FileUnit


@dataclass
class Builtin:
    name: str
    arity: int
    apply: Callable[..., Value]
    args: tuple[Thunk, ...] = ()
    origin: str | None = None  # the flake input it was selected from (`nixpkgs.lib.…`)


@dataclass
class SystemV:
    """`nixosSystem { … }`, `darwinSystem { … }`, `homeManagerConfiguration { … }`."""

    kind: str  # "nixos" | "darwin" | "home-manager"
    modules: Thunk  # the module list (or `configuration`)
    special_args: Thunk | None
    where: Where
    override: Value | None = None  # `makeOverridable`'s `.override`
    arguments: Thunk | None = None  # the builder's whole argument (`pkgs`, `system`, …)
    builder: str | None = None  # the flake input the builder came from (`nixpkgs`)
    # Why the flake inputs its modules use cannot be told by what they name, if so.
    opaque_inputs: str | None = None


@dataclass
class MergeV:
    """`mkMerge [ … ]`: module fragments."""

    items: Thunk


@dataclass
class Choice:
    """`if c then a else b` with `c` unknown: either."""

    options: list[Thunk]


Value = (Unknown | External | PathV | StrV | NumV | BoolV | NullV | ListV | AttrsV | FuncV
         | Builtin | SystemV | MergeV | Choice)


class Thunk:
    """A lazily computed value, computed once; a cycle gives `Unknown`."""

    __slots__ = ("_busy", "_compute", "_value", "expression", "where")

    def __init__(self, compute: Callable[[], Value] | None = None,
                 value: Value | None = None, where: Where | None = None,
                 expression: tuple[Node, Env, FileUnit] | None = None) -> None:
        self._compute = compute
        self._value = value
        self._busy = False
        self.where = where  # the expression, for a list element (named when unresolved)
        self.expression = expression  # the expression and scope it computes, if one

    @property
    def forced(self) -> Value | None:
        return self._value

    @classmethod
    def of(cls, value: Value, where: Where | None = None) -> Thunk:
        return cls(value=value, where=where)

    def force(self) -> Value:
        if self._value is not None:
            return self._value
        if self._busy or self._compute is None:
            return Unknown(None, "infinite recursion")
        self._busy = True
        try:
            self._value = self._compute()
        finally:
            self._busy = False
        self._compute = None
        return self._value

    @property
    def computing(self) -> bool:
        """Being computed right now: forcing it would be a cycle."""
        return self._busy


# Module arguments the module system (or a flake input's framework) gives: from outside the
# repository. Any other name comes from the repository (`specialArgs` the graph did not
# follow, `_module.args`) and is not known.
STANDARD_MODULE_ARGS = frozenset({
    "config", "options", "lib", "pkgs", "modulesPath", "specialArgs", "utils",
    "baseModules", "extraModules", "extendModules", "moduleType", "noUserModules", "name",
    "nodes", "osConfig", "nixosConfig", "darwinConfig", "osClass", "inputs", "inputs'",
    "self'", "system", "_class", "_prefix", "flake-parts-lib", "withSystem",
    "moduleWithSystem", "getSystem", "nixpkgs", "home-manager", "pkgs'",
})


def module_arguments(given: dict[str, Thunk], what: str) -> AttrsV:
    """The arguments of a module: `given`, the standard ones (external), and, for any other
    name, `Unknown` — it is set somewhere the graph does not follow (`_module.args`)."""
    standard = {name: Thunk.of(External(what, local_lib=True))
                for name in STANDARD_MODULE_ARGS}
    rest = AttrsV(standard, rest=Unknown(None, f"a {what} set where the graph does not "
                                               "follow (`_module.args`?)"))
    return AttrsV(given, rest=rest)
