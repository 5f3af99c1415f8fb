"""Where a configuration names its secret files: agenix, agenix-rekey and sops-nix options.

- `age.secrets.<n>.file` (agenix, ragenix), `age.secrets.<n>.rekeyFile` (agenix-rekey);
- `sops.defaultSopsFile`, `sops.secrets.<n>.{sopsFile, key, format}` (sops-nix).

A path is resolved when it is a literal (`./wifi.age`, `../secrets/db.yaml`, `./secrets +
"/wifi.age"`) or the flake's own tree (`self + "/secrets/wifi.age"`, `"${self}/…"`). Anything
else (another flake input, a computed name, a runtime path) is not resolved, and the rules say
nothing about it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tree_sitter import Node

from nixls_assist.context import FileContext
from nixls_assist.findings import Span
from nixls_assist.syntax.agenix_rules import AgenixRules, looks_like_rules_file, read_agenix_rules
from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.nodes import (
    attr_name,
    callee_name,
    definition_value,
    flatten_apply,
    literal_path,
    nodes_of_types,
    span,
    static_string,
    unwrap_parens,
)
from option_index.paths import show_path
from option_index.sources.nix_files import relative_to_root

_SELF = frozenset({"self", "inputs.self"})


@dataclass(frozen=True)
class FileReference:
    """A secret file named by an option: `age.secrets.wifi.file = ./wifi.age;`."""

    option: str  # `age.secrets.wifi.file`
    attribute: str  # `file`, `rekeyFile`, `sopsFile`, `defaultSopsFile`
    secret: str | None  # the secret's name, None for `sops.defaultSopsFile`
    span: Span  # the value
    written: str  # the value as written
    target: Path | None  # where it resolves; None when it cannot be told
    # The flake input the file comes from (`inputs.secrets + "/x.age"`): not checked.
    from_input: str | None = None

    @property
    def is_age(self) -> bool:
        return self.attribute in ("file", "rekeyFile")


@dataclass
class SopsSecret:
    """`sops.secrets."db/password" = { … };`, with what this file says about it."""

    name: str
    span: Span  # the name
    sops_file: FileReference | None = None
    key: str | None = None  # the `key` literal; None: the default (the name)
    key_known: bool = True  # False: `key` is set, but not to a literal
    file_format: str | None = None  # the `format` literal
    format_known: bool = True
    spans: list[Span] = field(default_factory=list)
    conditional: bool = False  # declared under its own condition (`optionalAttrs c { … }`)


@dataclass(frozen=True)
class SecretReferences:
    files: tuple[FileReference, ...]
    sops_secrets: tuple[SopsSecret, ...]
    default_sops_files: tuple[FileReference, ...]


def secret_references(doc: ParsedDocument, ctx: FileContext) -> SecretReferences:
    return doc.cached(("secret_references", str(ctx.path), str(ctx.lock_path)),
                      lambda: _references(doc, ctx))


def _references(doc: ParsedDocument, ctx: FileContext) -> SecretReferences:
    empty = SecretReferences((), (), ())
    source = doc.source
    # Every reference is under `age.secrets`, `sops.secrets` or `sops.defaultSopsFile`
    # (`age` alone is in most files: `package`, `image`).
    if (b"age" not in source and b"sops" not in source) \
            or (b"secrets" not in source and b"defaultSopsFile" not in source):
        return empty
    files: list[FileReference] = []
    defaults: list[FileReference] = []
    secrets: dict[str, SopsSecret] = {}
    for binding in nodes_of_types(doc, "binding"):
        found = _option_path(binding)
        if found is None:
            continue
        path, spans, conditional = found
        if path[-2:] == ["sops", "defaultSopsFile"]:
            reference = _reference(doc, ctx, binding, path[-2:], None)
            if reference is not None:
                defaults.append(reference)
                files.append(reference)
            continue
        at = _index_of(path, ("age", "secrets"))
        if at is not None and len(path) == at + 4 and path[at + 3] in ("file", "rekeyFile"):
            reference = _reference(doc, ctx, binding, path[at:], path[at + 2])
            if reference is not None:
                files.append(reference)
            continue
        at = _index_of(path, ("sops", "secrets"))
        if at is None or len(path) < at + 3:
            continue
        name = path[at + 2]
        secret = secrets.get(name)
        if secret is None:
            secret = secrets[name] = SopsSecret(name, spans[at + 2])
        if at + 2 in conditional:
            secret.conditional = True
        secret.spans.append(span(binding))
        if len(path) != at + 4:
            continue
        value = definition_value(binding.child_by_field_name("expression"))
        if path[at + 3] == "sopsFile":
            secret.sops_file = _reference(doc, ctx, binding, path[at:], name)
            if secret.sops_file is not None:
                files.append(secret.sops_file)
        elif path[at + 3] == "key":
            secret.key = static_string(value) if value is not None else None
            secret.key_known = secret.key is not None
        elif path[at + 3] == "format":
            secret.file_format = static_string(value) if value is not None else None
            secret.format_known = secret.file_format is not None
    return SecretReferences(tuple(files), tuple(secrets.values()), tuple(defaults))


_CONDITIONALS = frozenset({"optionalAttrs", "mkIf"})


def _option_path(binding: Node) -> tuple[list[str], list[Span], set[int]] | None:
    """The attribute names from the outermost enclosing binding down to this one
    (`age.secrets = { wifi = { file = …; }; }` → age, secrets, wifi, file), through module
    functions, `mkIf` / `mkMerge` and lists; None when a name is dynamic or the binding is
    a `let` variable's. Only attrset bindings count: a `let` ends the path. Also the indices
    of the names that sit right under a condition (`// optionalAttrs c { name = …; }`)."""
    names: list[str] = []
    spans: list[Span] = []
    inside: list[int] = []  # how many names were inside each condition crossed
    node: Node | None = binding
    while node is not None:
        if node.type == "binding":
            attrpath = node.child_by_field_name("attrpath")
            if attrpath is None:
                return None
            attrs = [a for a in attrpath.named_children if a.type != "comment"]
            own = [attr_name(a) for a in attrs]
            if any(n is None for n in own):
                return None
            names[:0] = [n for n in own if n is not None]
            spans[:0] = [span(a) for a in attrs]
            container = node.parent.parent if node.parent is not None else None
            if container is not None and container.type == "let_expression":
                break
            node = container
            continue
        if node.type == "if_expression" or (node.type == "apply_expression" and callee_name(
                flatten_apply(node)[0]) in _CONDITIONALS):
            inside.append(len(names))
        node = node.parent
    return names, spans, {len(names) - k for k in inside}


def _index_of(path: list[str], pair: tuple[str, str]) -> int | None:
    for i in range(len(path) - 1):
        if path[i] == pair[0] and path[i + 1] == pair[1]:
            return i
    return None


def _reference(doc: ParsedDocument, ctx: FileContext, binding: Node, path: list[str],
               secret: str | None) -> FileReference | None:
    value = definition_value(binding.child_by_field_name("expression"))
    if value is None:
        return None
    target = resolve_secret_path(doc, ctx, value)
    return FileReference(show_path(tuple(path)), path[-1], secret, span(value),
                         doc.node_text(value), target,
                         input_of(doc, ctx, value) if target is None else None)


_INPUT = re.compile(r"^(?:(?:self\.)?inputs\.)([A-Za-z_][\w'-]*)(?:\.outPath)?$")


def input_of(doc: ParsedDocument, ctx: FileContext, node: Node) -> str | None:
    """The flake input a path is taken from: `inputs.secrets + "/x.age"`,
    `"${inputs.secrets}/x.age"`, or an input the outputs function names (`secrets + …`,
    when the lock has a root input of that name)."""
    node = unwrap_parens(node)
    base: Node | None = None
    if node is None:
        return None
    if node.type == "binary_expression":
        operator = node.child_by_field_name("operator")
        if operator is not None and operator.type == "+":
            base = unwrap_parens(node.child_by_field_name("left"))
            while base is not None and base.type == "binary_expression":
                base = unwrap_parens(base.child_by_field_name("left"))
    elif node.type == "string_expression":
        parts = [c for c in node.named_children if c.type != "comment"]
        if parts and parts[0].type == "interpolation" and parts[0].named_child_count:
            base = unwrap_parens(parts[0].named_children[0])
    if base is None:
        return None
    text = doc.node_text(base)
    match = _INPUT.match(text)
    if match is not None:
        name = match.group(1)
        return None if name == "self" else name
    if base.type == "variable_expression" and ctx.lock is not None and text != "self" \
            and text in ctx.lock.root_inputs():
        return text
    return None


def resolve_secret_path(doc: ParsedDocument, ctx: FileContext, node: Node) -> Path | None:
    """Where a path expression points in the repository; None when it cannot be told."""
    node = unwrap_parens(node)
    if node is None or ctx.path is None:
        return None
    written = literal_path(node)
    if written is not None:
        if not written.startswith(("./", "../")):
            return None  # `/run/secrets/…`, `~/…`: not in the repository
        return (ctx.path.parent / written).resolve()
    tail = _flake_relative(doc, node)
    if tail is None or ctx.lock_path is None:
        return None
    return (ctx.lock_path.parent / tail.lstrip("/")).resolve()


def _flake_relative(doc: ParsedDocument, node: Node) -> str | None:
    """`self + "/secrets/x.age"`, `self + /secrets/x.age`, `"${self}/secrets/x.age"` → the
    part after the flake's root."""
    if node.type == "binary_expression":
        operator = node.child_by_field_name("operator")
        left = unwrap_parens(node.child_by_field_name("left"))
        right = unwrap_parens(node.child_by_field_name("right"))
        if operator is None or operator.type != "+" or left is None or right is None \
                or doc.node_text(left) not in _SELF:
            return None
        if right.type == "path_expression" and doc.node_text(right).startswith("/"):
            return doc.node_text(right)
        tail = static_string(right)
        return tail if tail is not None and tail.startswith("/") else None
    if node.type == "string_expression":
        parts = [c for c in node.named_children if c.type != "comment"]
        if len(parts) == 2 and parts[0].type == "interpolation" \
                and parts[1].type == "string_fragment":
            inner = parts[0].named_children[0] if parts[0].named_child_count else None
            tail = doc.node_text(parts[1])
            if inner is not None and doc.node_text(inner) in _SELF and tail.startswith("/") \
                    and "\\" not in tail:
                return tail
    return None


def display_path(target: Path, ctx: FileContext) -> str:
    """The target relative to the workspace (or the file's directory) for a message."""
    base = ctx.lock_path.parent if ctx.lock_path is not None else (
        ctx.path.parent if ctx.path is not None else None)
    return target.as_posix() if base is None else relative_to_root(target, base.resolve())


_EXTENSION_FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".env": "dotenv",
                      ".ini": "ini"}


def format_of(target: Path, secret: SopsSecret | None) -> str | None:
    """The sops format a file is read with: the secret's `format`, else its extension
    (sops-nix's default is YAML; an unknown extension is not guessed at)."""
    if secret is not None:
        if not secret.format_known:
            return None
        if secret.file_format is not None:
            return secret.file_format
    return _EXTENSION_FORMATS.get(target.suffix)


def sops_format(reference: FileReference, references: SecretReferences) -> str | None:
    if reference.target is None:
        return None
    secret = next((s for s in references.sops_secrets if s.sops_file is reference), None)
    return format_of(reference.target, secret)


def is_rules_file(doc: ParsedDocument, ctx: FileContext) -> bool:
    """The document is an agenix rules file (`secrets.nix` naming `publicKeys`)."""
    return ctx.path is not None and looks_like_rules_file(ctx.path.name, doc.source)


def rules_of(doc: ParsedDocument) -> AgenixRules:
    """The agenix rules this document (a rules file) states, read once per version."""
    return doc.cached("agenix_rules", lambda: read_agenix_rules(doc))
