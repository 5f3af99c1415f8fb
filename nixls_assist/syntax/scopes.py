"""Variables Nix cannot resolve: `nix-instantiate --parse` rejects them ("undefined variable").

Nix binds every variable while parsing (`Expr::bindVars`): a name must be defined by an
enclosing `let`, `rec { }`, `let { }`, function argument (`x:`, `{ a, b ? a }:`, `args@`) or
be one of the global names. Any enclosing `with e;` may define any name, so inside one
nothing is undefined. The walk is iterative, so deeply nested files cannot overflow the stack.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from nixls_assist.findings import Span
from nixls_assist.syntax.nodes import attr_name

# The names Nix 2.8 defines at the top level, measured with `nix-instantiate --parse -E NAME`
# for every `builtins` attribute and its `__` form, plus builtins newer Nix releases add
# (knowing one name too many only costs a missed finding, never a false one).
_TOP_LEVEL = """
    abort baseNameOf builtins derivation derivationStrict dirOf false fetchGit fetchMercurial
    fetchTarball fetchTree fromTOML import isNull map null placeholder removeAttrs
    scopedImport throw toString true __curPos
"""
_UNDERSCORED = """
    add addErrorContext all any appendContext attrNames attrValues bitAnd bitOr bitXor
    catAttrs ceil compareVersions concatLists concatMap concatStringsSep currentSystem
    currentTime deepSeq div elem elemAt fetchurl filter filterSource findFile floor foldl'
    fromJSON functionArgs genList genericClosure getAttr getContext getEnv groupBy hasAttr
    hasContext hashFile hashString head intersectAttrs isAttrs isBool isFloat isFunction isInt
    isList isPath isString langVersion length lessThan listToAttrs mapAttrs match mul nixPath
    nixVersion parseDrvName partition path pathExists readDir readFile replaceStrings seq
    sort split splitVersion storeDir storePath stringLength sub substring tail toFile toJSON
    toPath toXML trace tryEval typeOf unsafeDiscardOutputDependency unsafeDiscardStringContext
    unsafeGetAttrPos zipAttrsWith
    addDrvOutputDependencies break convertHash fetchClosure flakeRefToString getFlake
    outputOf parseFlakeRef readFileType traceVerbose warn
"""
GLOBAL_NAMES: frozenset[str] = frozenset(_TOP_LEVEL.split()) | frozenset(
    "__" + name for name in _UNDERSCORED.split()
)


@dataclass(frozen=True)
class UndefinedVariable:
    name: str
    span: Span


class _Scope:
    """A chain of name sets; `with_` marks a scope under some `with` (everything may exist)."""

    __slots__ = ("names", "parent", "with_")

    def __init__(
        self, names: frozenset[str] | set[str], parent: _Scope | None, with_: bool
    ) -> None:
        self.names = names
        self.parent = parent
        self.with_ = with_

    def defines(self, name: str) -> bool:
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.names:
                return True
            scope = scope.parent
        return name in GLOBAL_NAMES


_WITH_SCOPE = _Scope(frozenset(), None, True)
_RECURSIVE = frozenset({"let_expression", "rec_attrset_expression", "let_attrset_expression"})


def undefined_variables(root: Node) -> Iterator[UndefinedVariable]:
    """Every variable no enclosing scope defines, in document order."""
    found: list[UndefinedVariable] = []
    stack: list[tuple[Node, _Scope]] = [(root, _Scope(frozenset(), None, False))]
    while stack:
        node, scope = stack.pop()
        if scope.with_:
            continue  # under a `with`, every free name may be defined at run time
        kind = node.type
        if kind == "variable_expression":
            name_node = node.child_by_field_name("name")
            if name_node is not None and name_node.text and not name_node.is_missing:
                name = name_node.text.decode("utf-8", errors="replace")
                if not scope.defines(name):
                    found.append(UndefinedVariable(name, Span(node.start_byte, node.end_byte)))
            continue
        if kind == "with_expression":
            environment = node.child_by_field_name("environment")
            body = node.child_by_field_name("body")
            if environment is not None:
                stack.append((environment, scope))
            if body is not None:
                stack.append((body, _WITH_SCOPE))
            continue
        if kind == "function_expression":
            inner = _Scope(_parameters(node), scope, False)
            for child in node.named_children:
                if child.type == "formals":
                    for formal in child.named_children:
                        default = formal.child_by_field_name("default")
                        if formal.type == "formal" and default is not None:
                            stack.append((default, inner))
                elif child.type not in ("identifier", "comment"):
                    stack.append((child, inner))
            continue
        if kind in _RECURSIVE:
            inner = _Scope(_bound_names(node), scope, False)
            _push_bindings(node, scope, inner, stack, found)
            body = node.child_by_field_name("body")
            if body is not None:
                stack.append((body, inner))
            continue
        if kind == "attrset_expression":
            _push_bindings(node, scope, scope, stack, found)
            continue
        stack.extend((child, scope) for child in node.named_children)
    found.sort(key=lambda item: item.span.start)
    yield from found


def _parameters(function: Node) -> set[str]:
    names: set[str] = set()
    universal = function.child_by_field_name("universal")
    if universal is not None and universal.text:
        names.add(universal.text.decode("utf-8", errors="replace"))
    formals = function.child_by_field_name("formals")
    if formals is not None:
        for formal in formals.named_children:
            name = formal.child_by_field_name("name") if formal.type == "formal" else None
            if name is not None and name.text:
                names.add(name.text.decode("utf-8", errors="replace"))
    return names


def _bound_names(node: Node) -> set[str]:
    """The names a `let` / `rec { }` binds: first attribute of each path, inherited names."""
    names: set[str] = set()
    for binding_set in node.named_children:
        if binding_set.type != "binding_set":
            continue
        for binding in binding_set.named_children:
            if binding.type == "binding":
                attrpath = binding.child_by_field_name("attrpath")
                first = (
                    attrpath.named_children[0]
                    if attrpath is not None and attrpath.named_child_count
                    else None
                )
                name = attr_name(first) if first is not None else None
                if name is not None:
                    names.add(name)
            elif binding.type in ("inherit", "inherit_from"):
                attrs = binding.child_by_field_name("attrs")
                for attr in attrs.named_children if attrs is not None else ():
                    name = attr_name(attr)
                    if name is not None:
                        names.add(name)
    return names


def _push_bindings(
    node: Node,
    outer: _Scope,
    inner: _Scope,
    stack: list[tuple[Node, _Scope]],
    found: list[UndefinedVariable],
) -> None:
    """Bindings' values see `inner`; the names of a plain `inherit a;` are looked up in `outer`."""
    for binding_set in node.named_children:
        if binding_set.type != "binding_set":
            body = node.child_by_field_name("body")
            if binding_set.type != "comment" and binding_set != body:
                stack.append((binding_set, inner))  # ERROR nodes and the like
            continue
        for binding in reversed(binding_set.named_children):
            if binding.type == "inherit":
                attrs = binding.child_by_field_name("attrs")
                for attr in reversed(attrs.named_children) if attrs is not None else ():
                    if attr.type == "identifier" and attr.text and not attr.is_missing:
                        name = attr.text.decode("utf-8", errors="replace")
                        if not outer.with_ and not outer.defines(name):
                            found.append(
                                UndefinedVariable(name, Span(attr.start_byte, attr.end_byte))
                            )
                    else:
                        stack.append((attr, outer))
            else:
                stack.append((binding, inner))
