"""The `inputs` of a `flake.nix`, read with tree-sitter (never evaluated).

Both styles are understood and remembered, so that an edit can be written the way the
file already is:

    inputs = {                                   inputs.nixpkgs.url = "github:…";
      hyprland = {                               inputs.hyprland.url = "github:…";
        url = "github:hyprwm/Hyprland";          inputs.hyprland.inputs.nixpkgs.follows = "nixpkgs";
        inputs.nixpkgs.follows = "nixpkgs";
      };
      nixvim.url = "github:nix-community/nixvim";
    };
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tree_sitter import Node

from nixls_assist.findings import Span
from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.nodes import ATTRSET_KINDS, bindings_of, span, static_string, unwrap_parens
from option_index.paths import show_segment


@dataclass(frozen=True)
class Insertion:
    """Where a new `<path>.follows = "…";` binding goes for one input, and how it is written."""

    offset: int
    lead: str  # "\n    " (own line, same indentation) or " " (one-line attrset)
    path_prefix: str  # written before `<nested>.follows`: "inputs.", "hyprland.inputs.", …

    def text(self, nested: str, target: str) -> str:
        return f'{self.lead}{self.path_prefix}{show_segment(nested)}.follows = "{target}";'


@dataclass
class InputDeclaration:
    name: str
    name_span: Span  # the input's name where it is first declared
    url: str | None = None
    url_span: Span | None = None
    follows: str | None = None  # `inputs.x.follows = "y"`: the input is another one
    flake: bool | None = None
    # nested input name -> follows target ("nixpkgs", "" for `follows = ""`) or None (a url)
    nested: dict[str, str | None] = field(default_factory=dict)
    insertion: Insertion | None = None
    _last: Node | None = field(default=None, repr=False)
    _container: Node | None = field(default=None, repr=False)
    _nested_attrset: Node | None = field(default=None, repr=False)
    _attrset: Node | None = field(default=None, repr=False)
    _flat_prefix: str = field(default="", repr=False)


@dataclass(frozen=True)
class FlakeInputs:
    inputs: dict[str, InputDeclaration]
    output_args: tuple[str, ...]  # formals of `outputs` (implicit registry inputs)
    inputs_span: Span | None  # the first `inputs` attribute name, for file-level findings
    dynamic: bool  # something was not static (interpolated names, `inputs = import …`)


def read_flake_inputs(doc: ParsedDocument) -> FlakeInputs | None:
    """The inputs of a flake.nix; None when the file is not a top-level attrset. Read once
    per version: NXA501, NXA502 and the lifecycle rules (NXA601, 602, 604) all ask."""
    return doc.cached("flake_inputs", lambda: _read_flake_inputs(doc))


def _read_flake_inputs(doc: ParsedDocument) -> FlakeInputs | None:
    top = unwrap_parens(doc.root.child_by_field_name("expression"))
    if top is None or top.type not in ATTRSET_KINDS:
        return None
    reader = _Reader(doc)
    for binding in bindings_of(top):
        names = reader.names(binding)
        if not names or names[0][0] not in ("inputs", "outputs"):
            continue
        value = unwrap_parens(binding.child_by_field_name("expression"))
        if names[0][0] == "outputs":
            if len(names) == 1 and value is not None:
                reader.output_args(value)
            continue
        reader.inputs_span = reader.inputs_span or span(names[0][1])
        if len(names) == 1:
            if value is None or value.type not in ATTRSET_KINDS:
                reader.dynamic = True
                continue
            for inner in bindings_of(value):
                inner_names = reader.names(inner)
                if inner_names:
                    reader.declare(inner, inner_names, value, flat_prefix="")
        else:
            reader.declare(binding, names[1:], top, flat_prefix="inputs.")
    for declaration in reader.inputs.values():
        declaration.insertion = _insertion(doc, declaration)
    return FlakeInputs(reader.inputs, tuple(reader.args), reader.inputs_span, reader.dynamic)


class _Reader:
    def __init__(self, doc: ParsedDocument) -> None:
        self.doc = doc
        self.inputs: dict[str, InputDeclaration] = {}
        self.args: list[str] = []
        self.inputs_span: Span | None = None
        self.dynamic = False

    def names(self, binding: Node) -> list[tuple[str, Node]] | None:
        if binding.type != "binding":
            if binding.type in ("inherit", "inherit_from"):
                self.dynamic = True
            return None
        attrpath = binding.child_by_field_name("attrpath")
        if attrpath is None:
            return None
        names: list[tuple[str, Node]] = []
        for attr in attrpath.named_children:
            if attr.type == "comment":
                continue
            text = self.doc.node_text(attr) if attr.type == "identifier" else None
            if attr.type == "string_expression":
                text = static_string(attr)
            if text is None:
                self.dynamic = True
                return None
            names.append((text, attr))
        return names

    def output_args(self, value: Node) -> None:
        if value.type != "function_expression":
            return
        formals = value.child_by_field_name("formals")
        if formals is None:
            return
        for formal in formals.named_children:
            name = formal.child_by_field_name("name") if formal.type == "formal" else None
            if name is not None and name.text:
                self.args.append(name.text.decode())

    def declare(
        self, binding: Node, names: list[tuple[str, Node]], container: Node, flat_prefix: str
    ) -> None:
        name, name_node = names[0]
        declaration = self.inputs.get(name)
        if declaration is None:
            declaration = InputDeclaration(name, span(name_node))
            self.inputs[name] = declaration
        declaration._last = binding
        declaration._container = container
        declaration._flat_prefix = flat_prefix + self.doc.node_text(name_node) + ".inputs."
        value = unwrap_parens(binding.child_by_field_name("expression"))
        rest = [n for n, _ in names[1:]]
        if not rest:
            if value is not None and value.type in ATTRSET_KINDS:
                declaration._attrset = value
                for inner in bindings_of(value):
                    inner_names = self.names(inner)
                    if inner_names:
                        self._field(declaration, [n for n, _ in inner_names], inner)
            else:
                self.dynamic = True
            return
        self._field(declaration, rest, binding)

    def _field(self, declaration: InputDeclaration, path: list[str], binding: Node) -> None:
        value = unwrap_parens(binding.child_by_field_name("expression"))
        text = static_string(value) if value is not None else None
        if path == ["url"]:
            declaration.url = text
            declaration.url_span = span(value) if value is not None else None
        elif path == ["follows"]:
            declaration.follows = text
        elif path == ["flake"]:
            declaration.flake = value is not None and self.doc.node_text(value) != "false"
        elif path[0] == "inputs" and len(path) == 1 and value is not None:
            if value.type in ATTRSET_KINDS:
                declaration._nested_attrset = value
                for inner in bindings_of(value):
                    inner_names = self.names(inner)
                    if inner_names:
                        self._nested(declaration, [n for n, _ in inner_names], inner)
        elif path[0] == "inputs" and len(path) >= 2:
            self._nested(declaration, path[1:], binding)

    def _nested(self, declaration: InputDeclaration, path: list[str], binding: Node) -> None:
        value = unwrap_parens(binding.child_by_field_name("expression"))
        name = path[0]
        if path[1:] == ["follows"]:
            declaration.nested[name] = static_string(value) if value is not None else None
        elif len(path) == 1 and value is not None and value.type in ATTRSET_KINDS:
            for inner in bindings_of(value):
                inner_names = self.names(inner)
                if inner_names and [n for n, _ in inner_names] == ["follows"]:
                    inner_value = unwrap_parens(inner.child_by_field_name("expression"))
                    target = static_string(inner_value) if inner_value is not None else None
                    declaration.nested[name] = target
                    return
            declaration.nested.setdefault(name, None)
        else:
            declaration.nested.setdefault(name, None)


def _insertion(doc: ParsedDocument, declaration: InputDeclaration) -> Insertion | None:
    """After the last binding of the input, on a new line with its indentation."""
    if declaration._nested_attrset is not None:
        container, prefix = declaration._nested_attrset, ""
    elif declaration._attrset is not None:
        container, prefix = declaration._attrset, "inputs."
    else:
        container, prefix = declaration._container, declaration._flat_prefix
    if container is None:
        return None
    if container is declaration._container:
        last = declaration._last
    else:
        members = list(bindings_of(container))
        last = members[-1] if members else None
    if last is None:
        return None
    source = doc.source
    line_end = source.find(b"\n", last.end_byte)
    line_end = len(source) if line_end < 0 else line_end
    rest = source[last.end_byte : line_end].decode("utf-8", errors="replace")
    closes_later = container.end_byte > line_end
    if closes_later and (not rest.strip() or rest.lstrip().startswith("#")):
        line_start = source.rfind(b"\n", 0, last.start_byte) + 1
        before = source[line_start : last.start_byte].decode("utf-8", errors="replace")
        if before.strip():
            return Insertion(last.end_byte, " ", prefix)
        crlf = line_end > 0 and source[line_end - 1 : line_end] == b"\r"
        return Insertion(line_end - 1 if crlf else line_end, "\n" + before, prefix)
    return Insertion(last.end_byte, " ", prefix)
