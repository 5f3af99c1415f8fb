"""Where secrets hide in a Nix file: option values, config text, file reads, test VMs.

Syntax questions only the NXA2xx rules (`rules/secrets/`) ask; what surrounds a node (a VM
test, `mkIf false`, an option declaration) is answered by `syntax/enclosing.py`. Nothing
here decides whether a finding is reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from tree_sitter import Node

from nixls_assist.context import FileContext
from nixls_assist.rules.secrets.shapes import is_secret_name
from nixls_assist.syntax.bindings import OptionBinding, module_bindings
from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.enclosing import (
    DECLARATION_CALLS,
    TEST_CALLS,
    declaration_spans,
    enclosing_call,
    names_test_driver,
)
from nixls_assist.syntax.nodes import (
    STRING_KINDS,
    attrpath_names,
    binding_name,
    callee_name,
    definition_value,
    flatten_apply,
    literal_path,
    nodes_of_types,
    parent_through_parens,
    static_string,
)
from option_index.paths import show_path

# Prefixes of option paths that configure a throwaway VM build of the machine.
VM_PREFIXES = (("virtualisation", "vmVariant"), ("virtualisation", "vmVariantWithBootLoader"))
# Functions whose string argument is written to a store file verbatim.
WRITE_CALLS = frozenset(
    {"writeText", "writeTextFile", "writeTextDir", "writeScript", "writeScriptBin",
     "writeShellScript", "writeShellScriptBin", "writeShellApplication", "toFile", "writeBash",
     "writeDash", "writePython3", "writeYAML", "writeTOML", "writeJSON"}
)
# Option names whose string value is a whole config file / script.
TEXT_OPTIONS = frozenset({"text", "extraConfig", "config", "script", "preStart", "postStart",
                          "extraSettings", "configText", "initExtra", "extraLines"})
READ_CALLS = frozenset({"readFile", "fileContents", "readFileContents", "importJSON",
                        "importTOML"})
TEST_DIRECTORIES = frozenset({"tests", "test", "nixos-tests", "vm-tests"})

# `key = value` / `key: value` / `KEY=value` lines in a config text.
_ASSIGNMENT = re.compile(
    r"^[ \t]*(?:export[ \t]+)?[\"']?(?P<key>[A-Za-z_][A-Za-z0-9_.-]*)[\"']?[ \t]*[:=][ \t]*"
    r"(?P<value>[^\n]*?)[ \t;,]*$",
    re.MULTILINE,
)

# An unquoted value that is code: a call, a subscript or an attribute access
# (`Path(args.token_file).read_text()`, `os.environ["TOKEN"]`, `args.token`).
_CODE_VALUE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\s*[(\[]"
                         r"|^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$")


@dataclass(slots=True)  # hundreds per version: a frozen dataclass is slower to make
class ValueSite:
    """A definition `option = value` whose value may be a secret."""

    path: tuple[str, ...]  # option path, with a VM-variant prefix removed
    binding: OptionBinding | None  # None for loose bindings inside a VM test
    name: str  # the last attribute name
    value: Node  # the value, looked through parens and mkDefault/mkForce/mkIf
    in_test: bool

    @property
    def dotted(self) -> str:
        return show_path(self.path)


def is_test_file(doc: ParsedDocument, ctx: FileContext) -> bool:
    """A file in a `tests/` directory (its parent or grandparent), as in nixpkgs' nixos/tests."""
    path = ctx.path or (PurePosixPath(doc.path) if doc.path else None)
    return path is not None and any(part in TEST_DIRECTORIES for part in path.parts[-3:-1])


# Attributes only a `users.users.<name>` definition has: a `password` next to one of them is
# a login password, even where the attrset is built by a function (`mapAttrs (n: u: { … })`).
_USER_MARKERS = frozenset(
    {"isNormalUser", "isSystemUser", "extraGroups", "openssh", "createHome", "useDefaultShell",
     "linger", "subUidRanges", "hashedPasswordFile"}
)


def user_passwords(doc: ParsedDocument) -> Iterator[tuple[str, Node]]:
    """(`password` / `initialPassword`, its string value) in any attrset that defines a user."""
    if b"assword" not in doc.source:
        return
    for binding_set in nodes_of_types(doc, "binding_set"):
        values: dict[str, Node] = {}
        marked = False
        for binding in binding_set.named_children:
            names = attrpath_names(binding)
            if not names:
                continue
            marked = marked or names[0] in _USER_MARKERS
            if len(names) == 1 and names[0] in ("password", "initialPassword"):
                value = definition_value(binding.child_by_field_name("expression"))
                if value is not None and value.type in STRING_KINDS:
                    values[names[0]] = value
        if marked:
            yield from values.items()


def secret_named_sites(doc: ParsedDocument, ctx: FileContext) -> list[ValueSite]:
    """Leaf definitions whose name holds a secret (`password`, a `basicAuth` user), plus such
    loose bindings inside VM tests."""
    def named(name: str, path: tuple[str, ...]) -> bool:
        return is_secret_name(name) or path[-2:-1] == ("basicAuth",)

    return doc.cached(("secret_named_sites", ctx.kind.is_module, is_test_file(doc, ctx)),
                      lambda: [*_value_sites(doc, ctx, lambda b: named(b.path[-1], b.path)),
                               *(s for s in _test_bindings(doc) if named(s.name, s.path))])


def path_valued_sites(doc: ParsedDocument, ctx: FileContext) -> list[ValueSite]:
    """Leaf definitions whose value may be a path literal (`./wg.key`, `./keys + "/wg"`)."""
    return doc.cached(("path_valued_sites", ctx.kind.is_module, is_test_file(doc, ctx)),
                      lambda: list(_value_sites(doc, ctx, _may_be_path)))


# What a definition whose value is a path literal can look like before `definition_value`
# looks through parentheses and `mkDefault` & co.
_MAYBE_PATH = frozenset({"path_expression", "hpath_expression", "binary_expression",
                         "parenthesized_expression", "apply_expression"})


def _may_be_path(binding: OptionBinding) -> bool:
    return binding.value is not None and binding.value.type in _MAYBE_PATH


def _value_sites(doc: ParsedDocument, ctx: FileContext,
                 keep: Callable[[OptionBinding], bool]) -> Iterator[ValueSite]:
    """The file's leaf definitions that `keep` accepts (a cheap test, before any value is
    looked at)."""
    test_file = is_test_file(doc, ctx)
    may_test = names_test_driver(doc)
    for binding in module_bindings(doc, file_is_module=ctx.kind.is_module):
        if binding.value is None or not binding.is_leaf or not binding.segments \
                or not keep(binding):
            continue
        value = definition_value(binding.value)
        if value is None:
            continue
        path = binding.path
        in_test = test_file
        if path[0] == "virtualisation":
            for prefix in VM_PREFIXES:
                if path[: len(prefix)] == prefix:
                    path, in_test = path[len(prefix) :], True
        if not path:
            continue
        in_test = in_test or (may_test and enclosing_call(binding.value, TEST_CALLS) is not None)
        yield ValueSite(path, binding, path[-1], value, in_test)


def sibling_strings(doc: ParsedDocument, ctx: FileContext, site: ValueSite) -> dict[str, str]:
    """The string literals defined next to `site` (`{"user": "nextcloud", "host": "/run/…"}`)."""
    if site.binding is None:
        return {}
    table = doc.cached(("sibling_strings", ctx.kind.is_module), lambda: _string_leaves(doc, ctx))
    return table.get(site.binding.path[:-1], {})


def _string_leaves(doc: ParsedDocument, ctx: FileContext) -> dict[tuple[str, ...], dict[str, str]]:
    table: dict[tuple[str, ...], dict[str, str]] = {}
    for binding in module_bindings(doc, file_is_module=ctx.kind.is_module):
        if binding.value is None or not binding.is_leaf or not binding.path:
            continue
        value = definition_value(binding.value)
        if value is not None and value.type in STRING_KINDS \
                and (text := static_string(value)) is not None:
            table.setdefault(binding.path[:-1], {})[binding.path[-1]] = text
    return table


def _test_bindings(doc: ParsedDocument) -> Iterator[ValueSite]:
    """Bindings inside `nixosTest { nodes.machine = { … }; }` (not modules of the file)."""
    if not names_test_driver(doc):
        return  # no test driver is named anywhere: skip the walk
    stack = [doc.root]
    while stack:
        node = stack.pop()
        if node.type == "apply_expression":
            function, args = flatten_apply(node)
            if callee_name(function) in TEST_CALLS:
                for arg in args:
                    yield from _loose_bindings(doc, arg)
                continue
        stack.extend(reversed(node.named_children))


def _loose_bindings(doc: ParsedDocument, root: Node) -> Iterator[ValueSite]:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "binding":
            attrpath = node.child_by_field_name("attrpath")
            value = definition_value(node.child_by_field_name("expression"))
            names = [doc.node_text(a) for a in attrpath.named_children] if attrpath else []
            if names and value is not None and value.type in STRING_KINDS:
                yield ValueSite(tuple(names), None, names[-1].strip('"'), value, True)
        if node.type == "apply_expression":
            function, _ = flatten_apply(node)
            if callee_name(function) in DECLARATION_CALLS:
                continue
        stack.extend(reversed(node.named_children))


def string_nodes(doc: ParsedDocument) -> list[Node]:
    """Every outermost string literal outside option declarations and documentation."""
    return doc.cached("string_nodes", lambda: list(_string_nodes(doc)))


def _string_nodes(doc: ParsedDocument) -> Iterator[Node]:
    excluded = declaration_spans(doc)
    outer_end = -1
    for node in nodes_of_types(doc, *sorted(STRING_KINDS)):
        if node.start_byte < outer_end:
            continue  # inside an interpolation of an outer string: see nested_strings
        outer_end = node.end_byte
        if not excluded or not any(
                start <= node.start_byte and node.end_byte <= end for start, end in excluded):
            yield node


def fragments(node: Node) -> Iterator[Node]:
    """The literal text pieces of a string (interpolations excluded)."""
    for child in node.named_children:
        if child.type == "string_fragment":
            yield child


def nested_strings(node: Node) -> Iterator[Node]:
    """Strings inside a string's interpolations (`"${f "x"}"`)."""
    for child in node.named_children:
        if child.type == "interpolation":
            stack = list(child.named_children)
            while stack:
                inner = stack.pop()
                if inner.type in STRING_KINDS:
                    yield inner
                else:
                    stack.extend(inner.named_children)


def is_config_text(doc: ParsedDocument, node: Node) -> bool:
    """A string written verbatim to a config file: `environment.etc.<n>.text`, `writeText`."""
    parent = parent_through_parens(node)
    if parent is None:
        return False
    if parent.type == "binding":
        return binding_name(parent) in TEXT_OPTIONS
    if parent.type == "apply_expression":
        return callee_name(flatten_apply(parent)[0]) in WRITE_CALLS
    return False


def assignments(text: str) -> Iterator[tuple[str, str]]:
    """(key, value) of each `key = value` / `key: value` line, quotes around the value removed.

    Lines of a script whose value is code (`token = Path(f).read_text()`, `key = args.key`)
    are left out: only a quoted or plain word can be a literal secret.
    """
    for match in _ASSIGNMENT.finditer(text):
        value = match["value"].strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        elif _CODE_VALUE.match(value):
            continue
        yield match["key"], value


def text_with_holes(doc: ParsedDocument, node: Node) -> str:
    """A string's literal text, each interpolation replaced by `${NIX_VALUE}`: a value built
    from an interpolation is filled in at evaluation time, not written in the file."""
    return "".join(doc.node_text(child) if child.type == "string_fragment" else "${NIX_VALUE}"
                   for child in node.named_children
                   if child.type in ("string_fragment", "interpolation"))


def read_calls(doc: ParsedDocument) -> Iterator[tuple[Node, str]]:
    """`builtins.readFile ./x` / `lib.fileContents ./x`: (call, path text)."""
    if not any(name.encode() in doc.source for name in READ_CALLS):
        return
    for node in nodes_of_types(doc, "apply_expression"):
        path = read_call_path(node)
        if path is not None:
            yield node, path


def read_call_path(call: Node) -> str | None:
    """The path literal a `readFile ./x` / `fileContents ./x` call reads; None otherwise."""
    function, args = flatten_apply(call)
    if callee_name(function) in READ_CALLS and args:
        return literal_path(args[-1])
    return None


def interpolated_paths(doc: ParsedDocument) -> Iterator[tuple[Node, str]]:
    """`"${./wg.key}"`: a path literal interpolated into a string (copied to the store)."""
    for node in nodes_of_types(doc, "interpolation"):
        inner = node.named_children[0] if node.named_child_count else None
        path = literal_path(inner)
        if path is not None and inner is not None:
            yield inner, path
