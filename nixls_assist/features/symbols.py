"""Document symbols: a file's option definitions as a tree, its `let` bindings and, in a
flake, its inputs and outputs.

`services.nginx = { virtualHosts."example.org" = { … }; };` outlines as
`services` → `nginx` → `virtualHosts` → `"example.org"`: one symbol per attribute name a
binding writes, nested by where the bindings stand. Nothing is evaluated.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field

from tree_sitter import Node

from nixls_assist.context import FileContext, FileKind
from nixls_assist.findings import Span
from nixls_assist.syntax.bindings import Segment, module_bindings
from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.nodes import (
    ATTRSET_KINDS,
    SCOPING_KINDS,
    bindings_of,
    nodes_of_types,
    span,
    unwrap_to_body,
)


class SymbolKind(enum.Enum):
    NAMESPACE = "namespace"  # an attribute set of options (`services`, `services.nginx`)
    OPTION = "option"  # a definition's last name
    VARIABLE = "variable"  # a `let` binding
    FIELD = "field"  # a flake's top-level attribute or output


@dataclass
class Symbol:
    name: str
    kind: SymbolKind
    span: Span  # the whole binding
    selection: Span  # the name
    detail: str | None = None
    children: list[Symbol] = field(default_factory=list)


@dataclass
class _Entry:
    """One binding's chain of symbols (outermost first), nested as a unit."""

    span: Span
    chain: list[Symbol]


def document_symbols(doc: ParsedDocument, ctx: FileContext) -> list[Symbol]:
    """The outline of a document, in source order."""
    if doc.skipped:
        return []
    entries = [*_option_entries(doc, ctx), *_let_entries(doc)]
    if ctx.kind is FileKind.FLAKE:
        entries += _flake_entries(doc)
    entries.sort(key=lambda e: (e.span.start, -e.span.end))
    return _nest(entries)


def _nest(entries: list[_Entry]) -> list[Symbol]:
    roots: list[Symbol] = []
    stack: list[_Entry] = []
    for entry in entries:
        while stack and not (stack[-1].span.start <= entry.span.start
                             and entry.span.end <= stack[-1].span.end):
            stack.pop()
        siblings = stack[-1].chain[-1].children if stack else roots
        siblings.append(entry.chain[0])
        stack.append(entry)
    return roots


def _option_entries(doc: ParsedDocument, ctx: FileContext) -> Iterator[_Entry]:
    for binding in module_bindings(doc, file_is_module=ctx.kind.is_module):
        own = binding.segments[binding.own_from:]
        if not own:
            continue
        chain = []
        for number, segment in enumerate(own):
            last = number == len(own) - 1
            kind = SymbolKind.OPTION if last and binding.is_leaf else SymbolKind.NAMESPACE
            detail = binding.dotted if last else None
            symbol = Symbol(_name(segment, doc), kind, binding.binding_span, segment.span,
                            detail)
            if chain:
                chain[-1].children.append(symbol)
            chain.append(symbol)
        yield _Entry(binding.binding_span, chain)


def _name(segment: Segment, doc: ParsedDocument) -> str:
    return doc.span_text(segment.span) if segment.quoted or segment.name is None \
        else segment.name


def _attr_chain(doc: ParsedDocument, binding: Node, kind: SymbolKind) -> _Entry | None:
    attrpath = binding.child_by_field_name("attrpath")
    if attrpath is None:
        return None
    chain: list[Symbol] = []
    for attr in attrpath.named_children:
        if attr.type == "comment":
            continue
        symbol = Symbol(doc.node_text(attr), kind, span(binding), span(attr))
        if chain:
            chain[-1].children.append(symbol)
        chain.append(symbol)
    return _Entry(span(binding), chain) if chain else None


def _let_entries(doc: ParsedDocument) -> Iterator[_Entry]:
    if b"let" not in doc.source:
        return
    for let in nodes_of_types(doc, "let_expression"):
        for binding in bindings_of(let):
            if binding.type == "binding" and \
                    (entry := _attr_chain(doc, binding, SymbolKind.VARIABLE)) is not None:
                yield entry


def _flake_entries(doc: ParsedDocument) -> Iterator[_Entry]:
    """A flake's top-level attributes (`description`, `inputs.*`, `outputs`) and the
    attributes its `outputs` function returns (`nixosConfigurations.laptop`, …)."""
    top = _body(doc.root.child_by_field_name("expression"))
    if top is None or top.type not in ATTRSET_KINDS:
        return
    for binding in bindings_of(top):
        if binding.type != "binding":
            continue
        entry = _attr_chain(doc, binding, SymbolKind.FIELD)
        if entry is None:
            continue
        yield entry
        if entry.chain[0].name == "outputs" and len(entry.chain) == 1:
            result = _body(binding.child_by_field_name("expression"))
            if result is not None and result.type in ATTRSET_KINDS:
                for output in bindings_of(result):
                    if output.type == "binding" and \
                            (inner := _attr_chain(doc, output, SymbolKind.FIELD)) is not None:
                        yield inner


def _body(node: Node | None) -> Node | None:
    """Through parentheses, functions, `let … in`, `with …;`: the value a flake returns."""
    return unwrap_to_body(node, _FUNCTION_AND_SCOPES)


_FUNCTION_AND_SCOPES = SCOPING_KINDS | {"function_expression"}
