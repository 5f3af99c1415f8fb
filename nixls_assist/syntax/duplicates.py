"""Attributes defined twice, by the exact rules of Nix 2.8's parser (`addAttr` in parser.y).

Nix builds each attribute set (`{ }`, `rec { }`, `let … in`) binding by binding:

- a dotted path `a.b.c = v;` walks into what `a` / `a.b` already are: a set made by an
  earlier dotted path, or an attribute set *literal* (parentheses do not matter); anything
  else there (another expression, an `inherit`) is a duplicate;
- a final name already present is a duplicate unless both the old and the new value are
  attribute set literals: then the new literal's attributes are added to the old one, one
  level deep only: a name both literals define is a duplicate, even if both are sets;
- `${…}` segments are never duplicates (they are only known at run time).

Only binding sets that name an attribute twice are modelled (see duplicate_attributes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tree_sitter import Node

from nixls_assist.findings import Edit, Span
from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.nodes import (
    ATTRSET_KINDS,
    attr_name,
    node_index,
    unwrap_parens,
)


@dataclass(frozen=True)
class DuplicateAttribute:
    """`later` redefines what `first` defined; `path` is shown as written (`a.b."c"`)."""

    path: str
    later: Span
    first: Span
    reason: str  # "value" | "not-a-set" | "inherited" | "merge"
    later_binding: Node | None = None  # the binding node holding `later`
    first_binding: Node | None = None
    literal_binding: Node | None = None  # "merge": the outer binding whose literal is merged


class _Def:
    """One definition of a name: where it is written, and what kind of value it has."""

    __slots__ = ("binding", "inherited", "literal", "nested", "where")

    def __init__(self, where: Node, binding: Node | None, nested: _Attrs | None = None,
                 literal: Node | None = None, inherited: bool = False) -> None:
        self.where = where  # the attrpath (or inherited name) as written
        self.binding = binding
        self.nested = nested  # a set made by dotted paths, or the literal's model once built
        self.literal = literal  # an attribute set literal value, modelled only when needed
        self.inherited = inherited

    @property
    def span(self) -> Span:
        return Span(self.where.start_byte, self.where.end_byte)

    def value(self, model: _Model) -> _Attrs | None:
        """The set this definition makes (built on first use), None when it is not a set."""
        if self.nested is None and self.literal is not None:
            self.nested = model(self.literal)
        return self.nested


@dataclass
class _Attrs:
    entries: dict[str, _Def] = field(default_factory=dict)


_Model = Callable[[Node], _Attrs]  # the model of an attribute set literal, built once


def duplicate_attributes(doc: ParsedDocument) -> list[DuplicateAttribute]:
    """Every duplicate definition in the tree, in document order of the later definition.

    Every duplicate starts with one binding set naming the same first attribute twice, so
    only those sets are modelled; the attribute set literals they merge are modelled on
    demand (each once: a merge mutates the earlier literal's model).
    """
    models: dict[int, _Attrs] = {}
    found: list[DuplicateAttribute] = []

    def model(owner: Node) -> _Attrs:
        built = models.get(owner.id)
        if built is None:
            built = models[owner.id] = _build(owner, model, found)
        return built

    for owner in _owners_naming_twice(doc):
        model(owner)
    found.sort(key=lambda d: (d.later.start, d.first.start))
    return found


def _owners_naming_twice(doc: ParsedDocument) -> list[Node]:
    """The owners of binding sets where some first attribute name occurs twice.

    A set whose subtree the previous version shares (same node id, see syntax/reuse.py) keeps
    its verdict: after an edit only the sets around it are read again.
    """
    previous = doc.previous.memo.get(_VERDICTS) if doc.previous is not None else None
    earlier: dict[int, bool] = previous if isinstance(previous, dict) else {}
    verdicts: dict[int, bool] = {}
    owners = []
    for binding_set in node_index(doc).get("binding_set", []):
        twice = earlier.get(binding_set.id)
        if twice is None:
            twice = _names_twice(binding_set)
        verdicts[binding_set.id] = twice
        if twice and binding_set.parent is not None:
            owners.append(binding_set.parent)
    doc.memo[_VERDICTS] = verdicts
    return sorted(owners, key=lambda node: node.start_byte)


_VERDICTS = "binding_sets_naming_twice"


def _names_twice(binding_set: Node) -> bool:
    seen: set[str] = set()
    for binding in binding_set.named_children:
        if binding.type == "binding":
            attrpath = binding.child_by_field_name("attrpath")
            attrs = [attrpath.named_children[0]] if attrpath is not None \
                and attrpath.named_child_count else []
        elif binding.type in ("inherit", "inherit_from"):
            inherited = binding.child_by_field_name("attrs")
            attrs = inherited.named_children if inherited is not None else []
        else:
            continue
        for attr in attrs:
            name = attr_name(attr)
            if name is None:
                continue
            if name in seen:
                return True
            seen.add(name)
    return False


def attrpath_text(segments: list[Node]) -> str:
    return ".".join((s.text or b"").decode("utf-8", errors="replace") for s in segments)


def _build(owner: Node, model: _Model, found: list[DuplicateAttribute]) -> _Attrs:
    attrs = _Attrs()
    for binding_set in owner.named_children:
        if binding_set.type != "binding_set":
            continue
        for binding in binding_set.named_children:
            if binding.type in ("inherit", "inherit_from"):
                _add_inherit(attrs, binding, found)
            elif binding.type == "binding":
                _add_binding(attrs, binding, model, found)
    return attrs


def _add_inherit(attrs: _Attrs, binding: Node, found: list[DuplicateAttribute]) -> None:
    names = binding.child_by_field_name("attrs")
    for attr in names.named_children if names is not None else ():
        name = attr_name(attr)
        if name is None:
            continue
        previous = attrs.entries.get(name)
        if previous is not None:
            found.append(
                DuplicateAttribute(
                    attrpath_text([attr]), Span(attr.start_byte, attr.end_byte), previous.span,
                    "value", binding, previous.binding,
                )
            )
            continue
        attrs.entries[name] = _Def(attr, binding, inherited=binding.type == "inherit")


def _add_binding(
    attrs: _Attrs, binding: Node, model: _Model, found: list[DuplicateAttribute]
) -> None:
    attrpath = binding.child_by_field_name("attrpath")
    if attrpath is None or attrpath.named_child_count == 0:
        return
    segments = [s for s in attrpath.named_children if s.type != "comment"]
    span = Span(attrpath.start_byte, attrpath.end_byte)
    current = attrs
    for segment in segments[:-1]:
        name = attr_name(segment)
        if name is None:
            current = _Attrs()  # `${…}`: a set of its own, never a duplicate
            continue
        existing = current.entries.get(name)
        if existing is None:
            nested = _Attrs()
            current.entries[name] = _Def(attrpath, binding, nested)
            current = nested
            continue
        value = None if existing.inherited else existing.value(model)
        if value is None:
            reason = "inherited" if existing.inherited else "not-a-set"
            found.append(DuplicateAttribute(
                attrpath_text(segments), span, existing.span, reason, binding, existing.binding))
            return
        current = value
    name = attr_name(segments[-1])
    if name is None:
        return
    value_node = unwrap_parens(binding.child_by_field_name("expression"))
    literal = value_node if value_node is not None and value_node.type in ATTRSET_KINDS else None
    existing = current.entries.get(name)
    if existing is None:
        current.entries[name] = _Def(attrpath, binding, literal=literal)
        return
    path = attrpath_text(segments)
    earlier = None if existing.inherited else existing.value(model)
    if earlier is not None and literal is not None:
        for inner_name, inner in model(literal).entries.items():
            clash = earlier.entries.get(inner_name)
            if clash is not None:
                inner_path = path + "." + _shown(inner, inner_name)
                found.append(
                    DuplicateAttribute(
                        inner_path,
                        inner.span,
                        clash.span,
                        "merge",
                        inner.binding,
                        clash.binding,
                        binding,
                    )
                )
            else:
                earlier.entries[inner_name] = inner
        return
    reason = "inherited" if existing.inherited else "value"
    found.append(DuplicateAttribute(path, span, existing.span, reason, binding, existing.binding))


def _shown(definition: _Def, name: str) -> str:
    """The first segment of the inner definition as written, else the bare name."""
    binding = definition.binding
    if binding is not None and binding.type == "binding":
        attrpath = binding.child_by_field_name("attrpath")
        if attrpath is not None and attrpath.named_child_count:
            return attrpath_text([attrpath.named_children[0]])
    return name


def merge_edits(source: bytes, dup: DuplicateAttribute) -> tuple[Edit, ...] | None:
    """Edits that resolve `dup` the obvious way, or None when there is none.

    - "merge" (two literals define the same name): move the later literal's binding out
      as a dotted binding after it (`a = { b.d = 2; };` → `a = { };` `a.b.d = 2;`), where
      Nix's dotted-path rule merges it into what exists;
    - the same path bound twice to the same text: delete the later binding.
    The caller must re-check the result (it may still clash deeper down).
    """
    later = dup.later_binding
    if later is None or later.type != "binding":
        return None
    if dup.reason == "merge":
        outer = dup.literal_binding
        if outer is None or _has_dynamic(outer) or later.parent is None:
            return None
        literal = later.parent.parent  # binding → binding_set → attrset literal
        if literal is None or literal.type != "attrset_expression":
            return None  # moving out of `rec { }` would change what names refer to
        outer_path = outer.child_by_field_name("attrpath")
        if outer_path is None:
            return None
        prefix = source[outer_path.start_byte : outer_path.end_byte].decode("utf-8", "replace")
        moved = source[later.start_byte : later.end_byte].decode("utf-8", "replace")
        line_start = source.rfind(b"\n", 0, outer.start_byte) + 1
        indent = source[line_start : outer.start_byte]
        own_line = (
            indent.strip() == b"" and source[outer.end_byte :].split(b"\n", 1)[0].strip() == b""
        )
        separator = "\n" + indent.decode("utf-8", "replace") if own_line else " "
        moved = _dedent(moved, _indent_of(source, later) - len(indent))
        return (
            Edit(_removal(source, later), ""),
            Edit(Span(outer.end_byte, outer.end_byte), f"{separator}{prefix}.{moved}"),
        )
    first = dup.first_binding
    if (
        dup.reason == "value"
        and first is not None
        and first.type == "binding"
        and _text(source, first) == _text(source, later)
    ):
        return (Edit(_removal(source, later), ""),)
    return None


def _indent_of(source: bytes, node: Node) -> int:
    line_start = source.rfind(b"\n", 0, node.start_byte) + 1
    prefix = source[line_start : node.start_byte]
    return len(prefix) if prefix.strip() == b"" else 0


def _dedent(text: str, width: int) -> str:
    """Shift continuation lines left by `width` spaces (where they have them)."""
    if width <= 0:
        return text
    lines = text.split("\n")
    return "\n".join(
        [lines[0]]
        + [line[width:] if line[:width].strip() == "" else line.lstrip() for line in lines[1:]]
    )


def _text(source: bytes, node: Node) -> bytes:
    return b" ".join(source[node.start_byte : node.end_byte].split())


def _has_dynamic(binding: Node) -> bool:
    attrpath = binding.child_by_field_name("attrpath")
    return attrpath is None or any(attr_name(s) is None for s in attrpath.named_children)


def _removal(source: bytes, node: Node) -> Span:
    """The node, plus its line when it stands alone on it (no blank line left behind)."""
    line_start = source.rfind(b"\n", 0, node.start_byte) + 1
    line_end = source.find(b"\n", node.end_byte)
    line_end = len(source) if line_end == -1 else line_end
    if (
        source[line_start : node.start_byte].strip() == b""
        and source[node.end_byte : line_end].strip() == b""
    ):
        return Span(line_start, min(line_end + 1, len(source)))
    start = node.start_byte
    while start > 0 and source[start - 1 : start] in (b" ", b"\t"):
        start -= 1
    return Span(start, node.end_byte)
