"""Variables Nix cannot resolve: `nix-instantiate --parse` rejects them ("undefined variable").

Nix binds every variable while parsing (`Expr::bindVars`): a name must be defined by an
enclosing `let`, `rec { }`, `let { }`, function argument (`x:`, `{ a, b ? a }:`, `args@`) or
be one of the global names. Any enclosing `with e;` may define any name, so inside one
nothing is undefined. No recursion: one sweep over the references in byte order, so deeply
nested files cannot overflow the stack.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from nixls_assist.findings import Span
from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.nodes import attr_name, node_index

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


_SCOPE_KINDS = ("function_expression", "with_expression", "let_expression",
                "rec_attrset_expression", "let_attrset_expression")

# An open scope: (end byte, names it binds or None for a `with` body, the node that owns it).
_Open = tuple[int, "frozenset[str] | set[str] | None", Node]


def undefined_variables(doc: ParsedDocument) -> Iterator[UndefinedVariable]:
    """Every variable no enclosing scope defines, in document order.

    The document's node index (one pass of the query engine) has the references and the
    scope-introducing nodes; one sweep in byte order keeps the stack of scopes open at each
    reference. Scopes nest, so a stack of byte ranges is the scope chain. A `with` body
    defines every name (None).
    """
    index = node_index(doc)
    references = index.get("variable_expression", []) + index.get("inherit_name", [])
    if not references:
        return
    scopes: list[tuple[int, int, frozenset[str] | set[str] | None, Node]] = []
    for node in (node for kind in _SCOPE_KINDS for node in index.get(kind, ())):
        if node.type == "with_expression":
            body = node.child_by_field_name("body")
            if body is not None:
                scopes.append((body.start_byte, body.end_byte, None, node))
        elif node.type == "function_expression":
            scopes.append((node.start_byte, node.end_byte, _parameters(node), node))
        else:
            scopes.append((node.start_byte, node.end_byte, _bound_names(node), node))
    scopes.sort(key=lambda scope: (scope[0], -scope[1]))
    references.sort(key=lambda node: node.start_byte)

    found: list[UndefinedVariable] = []
    open_scopes: list[_Open] = []
    next_scope = 0
    for reference in references:
        at = reference.start_byte
        while next_scope < len(scopes) and scopes[next_scope][0] <= at:
            start, end, names, owner = scopes[next_scope]
            next_scope += 1
            while open_scopes and open_scopes[-1][0] <= start:
                open_scopes.pop()
            open_scopes.append((end, names, owner))
        while open_scopes and open_scopes[-1][0] <= at:
            open_scopes.pop()
        if not reference.text or reference.is_missing:
            continue
        name = reference.text.decode("utf-8", errors="replace")
        chain = open_scopes
        if reference.type == "identifier":  # the name of a plain `inherit`
            chain = _outside_owner(reference, open_scopes)
        if not _defines(chain, name):
            found.append(UndefinedVariable(name, Span(reference.start_byte, reference.end_byte)))
    yield from found


def _outside_owner(inherited: Node, open_scopes: list[_Open]) -> list[_Open]:
    """A plain `inherit a;` in a `let` / `rec { }` looks `a` up outside that scope."""
    owner = inherited.parent.parent.parent.parent  # inherited_attrs → inherit → binding_set → owner
    if open_scopes and owner is not None and open_scopes[-1][2] == owner:
        return open_scopes[:-1]
    return open_scopes


def _defines(chain: list[_Open], name: str) -> bool:
    for _, names, _ in reversed(chain):
        if names is None or name in names:
            return True
    return name in GLOBAL_NAMES


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
