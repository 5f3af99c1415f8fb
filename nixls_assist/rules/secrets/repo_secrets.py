"""Secrets kept in the repository as Nix values: `import ./secrets.nix`, `config.secrets.*`.

A `secrets.nix` that git-crypt encrypts (or .gitignore leaves out) keeps its values out of the
public repository, but not out of the store: evaluation reads the decrypted file, and every
string a value is interpolated into is written to `/nix/store`. Pure syntax for NXA202; the
file might hold only harmless values, so what is found here is a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from tree_sitter import Node

from nixls_assist.rules.secrets.shapes import is_secret_name
from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.nodes import (
    attr_name,
    attrpath_names,
    callee_name,
    definition_value,
    flatten_apply,
    literal_path,
    nodes_of_types,
    parent_through_parens,
    unwrap_parens,
)

# `secrets.nix`, `.secrets`, `wifi-secrets.nix`, `secret.json`: a file of secret values.
_SECRETS_FILE = re.compile(
    r"^\.?(?:[A-Za-z0-9]+[-_])?secrets?(?:\.(?:nix|json|toml))?$", re.IGNORECASE
)
_IMPORTS = frozenset({"import", "importJSON", "importTOML"})
_PARSES = frozenset({"fromJSON", "fromTOML"})


@dataclass(frozen=True)
class RepoSecretUse:
    """`secrets.wifi.home.psk` read from a secrets file in the repository."""

    node: Node  # the select expression
    shown: str  # how it is written (`secrets.wifi.home.psk`), never its value
    source: str | None  # the file (`./secrets.nix`), None for `config.secrets`
    in_string: bool  # interpolated into a string (else the value of a binding)
    binding: Node | None  # the binding it is the value of


def secrets_file(node: Node | None) -> str | None:
    """`import ./secrets.nix`, `lib.importJSON ./secrets.json`,
    `builtins.fromJSON (builtins.readFile ./secrets.json)` → the path; None otherwise."""
    node = unwrap_parens(node)
    if node is None or node.type != "apply_expression":
        return None
    function, args = flatten_apply(node)
    name = callee_name(function)
    if name in _IMPORTS and args:
        path = literal_path(args[0])
    elif name in _PARSES and args:
        inner = unwrap_parens(args[-1])
        if inner is None or inner.type != "apply_expression":
            return None
        function, args = flatten_apply(inner)
        path = literal_path(args[-1]) if callee_name(function) == "readFile" and args else None
    else:
        return None
    if path is None or not _SECRETS_FILE.match(PurePosixPath(path).name):
        return None
    return path


def repo_secret_uses(doc: ParsedDocument) -> Iterator[RepoSecretUse]:
    """Secret-named values read from a repository secrets file and written into the store:
    interpolated into a string, or set as a secret-named option's value."""
    source = doc.source
    if b"secret" not in source:
        return
    names = _bound_secret_files(doc) if b"import" in source or b"from" in source else {}
    candidates: list[tuple[Node, str | None]] = []
    for variable in nodes_of_types(doc, "variable_expression"):
        name = doc.node_text(variable)
        if name in names or name == "config":
            candidates.append((variable, names.get(name)))
    for call in nodes_of_types(doc, "apply_expression"):
        if (path := secrets_file(call)) is not None:
            outer = call.parent if call.parent is not None \
                and call.parent.type == "parenthesized_expression" else call
            candidates.append((outer, path))
    for base, path in candidates:
        select = base.parent
        if select is None or select.type != "select_expression" \
                or select.child_by_field_name("expression") != base:
            continue
        attrpath = select.child_by_field_name("attrpath")
        attrs = [attr_name(a) for a in attrpath.named_children] if attrpath is not None else []
        if path is None and (doc.node_text(base) != "config" or attrs[:1] != ["secrets"]):
            continue
        if not attrs or None in attrs:
            continue
        use = _use(doc, select, path, is_secret_name(attrs[-1] or ""))
        if use is not None:
            yield use


def _use(doc: ParsedDocument, select: Node, path: str | None,
         secret_attr: bool) -> RepoSecretUse | None:
    parent = parent_through_parens(select)
    shown = doc.node_text(select)
    if len(shown) > 80 or "\n" in shown:
        shown = shown[:77] + "…"
    if parent is not None and parent.type == "interpolation" and secret_attr:
        return RepoSecretUse(select, shown, path, True, None)
    if parent is not None and parent.type == "binding" \
            and definition_value(parent.child_by_field_name("expression")) == select:
        names = attrpath_names(parent)
        if secret_attr or (names and is_secret_name(names[-1] or "")):
            return RepoSecretUse(select, shown, path, False, parent)
    return None


def _bound_secret_files(doc: ParsedDocument) -> dict[str, str]:
    """Names bound to a secrets file: `secrets = import ./secrets.nix;` (let or attrset)."""
    bound: dict[str, str] = {}
    for binding_set in nodes_of_types(doc, "binding_set"):
        for binding in binding_set.named_children:
            if binding.type != "binding":
                continue
            names = attrpath_names(binding)
            if len(names) != 1 or names[0] is None:
                continue
            path = secrets_file(binding.child_by_field_name("expression"))
            if path is not None:
                bound[names[0]] = path
    return bound
