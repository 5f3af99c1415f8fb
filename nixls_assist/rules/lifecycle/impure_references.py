"""NXA603: impure or unpinned references where a flake evaluates purely."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from nixls_assist.context import FileContext, FileKind
from nixls_assist.findings import Finding, Severity
from nixls_assist.rules.base import FixAvailability, Indexes, Rule
from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.nodes import (
    ATTRSET_KINDS,
    STRING_KINDS,
    attrpath_names,
    bindings_of,
    flatten_apply,
    nodes_of_types,
    span,
    static_string,
    unwrap_parens,
)

NXA603 = Rule(
    code="NXA603",
    name="impure-reference",
    severity=Severity.WARNING,
    summary="an impure or unpinned reference in a flake: `<nixpkgs>`, `builtins.getEnv`, "
            "`currentSystem`, a fetcher without a hash, `fetchFromGitHub` on a branch",
    fix=FixAvailability.NONE,
)

_IMPURE_BUILTINS = {
    "getEnv": "returns \"\" in a pure flake evaluation, so the value silently changes",
    "currentSystem": "fails in a pure flake evaluation (use the `system` of the configuration)",
    "currentTime": "fails in a pure flake evaluation and changes on every build",
}
# Fetchers whose result is only fixed by a hash (or, for git, a revision).
_FETCHERS = {
    "fetchTarball": ("sha256", "hash", "narHash"),
    "builtins.fetchTarball": ("sha256", "hash", "narHash"),
    "builtins.fetchurl": ("sha256", "hash", "narHash"),
    "fetchGit": ("rev", "narHash"),
    "builtins.fetchGit": ("rev", "narHash"),
    "fetchTree": ("rev", "narHash"),
    "builtins.fetchTree": ("rev", "narHash"),
}
_SOURCE_FETCHERS = frozenset({"fetchFromGitHub", "fetchFromGitLab", "fetchFromGitea",
                              "fetchFromCodeberg", "fetchFromSourcehut"})
_BRANCHES = frozenset({"master", "main", "develop", "development", "trunk", "HEAD", "unstable",
                       "nightly"})
# Files a flake evaluates: the flake itself, modules, packages, overlays. `shell.nix` and
# `default.nix` shims (kind "other") serve the non-flake entry points, where `<nixpkgs>` is normal.
_EVALUATED_KINDS = frozenset({FileKind.FLAKE, FileKind.NIXOS, FileKind.HOME_MANAGER,
                              FileKind.DARWIN, FileKind.MODULE, FileKind.PACKAGE,
                              FileKind.OVERLAY})


@NXA603.check
def impure_reference(
    doc: ParsedDocument, ctx: FileContext, index: Indexes | None
) -> Iterator[Finding]:
    """An impure or unpinned reference in a flake.

    ## What it does
    In a file a flake evaluates (`flake.nix`, and the modules, packages and overlays of a
    repository with a `flake.nix`), reports what a pure flake evaluation rejects or cannot
    pin: a search path (`<nixpkgs>`, `<nixos>`, any `<…>`; not the default of a function
    argument, `{ pkgs ? import <nixpkgs> { } }:`, used only when the file is called bare),
    `builtins.currentSystem`, `builtins.currentTime` (`builtins.getEnv`, mostly a deliberate
    knob for `--impure` builds, at info), and `fetchTarball` /
    `builtins.fetchurl` without a hash, `fetchGit` / `fetchTree` without a `rev`. In any
    configuration it reports `fetchFromGitHub` (and the other `fetchFrom*`) whose `rev` is
    a branch name (`master`, `main`, …). In a configuration without a flake (channels),
    `<nixpkgs>` and the others are the normal way and are not reported.

    ## Why is this bad?
    A flake is evaluated purely: `<nixpkgs>`, `currentSystem`, `currentTime` and unhashed
    fetches are errors there (they only work with `--impure`, against whatever `NIX_PATH`
    or the network says that day), and `getEnv` quietly returns `""`. A branch as `rev`
    names a moving target: the hash breaks at the branch's next commit.

    ## Example
    ```nix
    { pkgs, ... }:
    let unstable = import <nixos-unstable> { };
    in { environment.systemPackages = [ unstable.helix ]; }
    ```

    Use instead: a flake input
    (`inputs.nixpkgs-unstable.url = "github:NixOS/nixpkgs/nixos-unstable";`) passed to the
    module through `specialArgs`; a `sha256` for `fetchTarball`; a commit
    or tag as `rev`.

    ## Fix safety
    No automatic fix: the pinned revision and its hash have to be fetched.

    ## References
    - https://nix.dev/manual/nix/stable/command-ref/conf-file.html#conf-pure-eval
    - https://nix.dev/manual/nix/stable/language/builtins.html#builtins-fetchTarball
    """
    in_flake = ctx.in_flake and ctx.kind in _EVALUATED_KINDS
    # Neither kind is in the shared node index: each would be a query pass of its own, so
    # only when the text can hold one (`<…>`, `builtins.…`; 13% of corpus files each).
    if in_flake and b"<" in doc.source:
        for node in nodes_of_types(doc, "spath_expression"):
            if _in_formal_default(node):
                continue  # `{ pkgs ? import <nixpkgs> { } }:` — only used when called bare
            name = doc.node_text(node)
            yield NXA603.finding(
                span(node),
                f"search path `{name}` in a flake: a pure evaluation rejects it and `--impure` "
                "takes whatever `NIX_PATH` says; use a flake input instead",
            )
    if in_flake and b"builtins" in doc.source:
        for node in nodes_of_types(doc, "select_expression"):
            yield from _impure_builtin(doc, node)
    for node in nodes_of_types(doc, "apply_expression"):
        yield from _fetcher(doc, node, in_flake)


def _impure_builtin(doc: ParsedDocument, node: Node) -> Iterator[Finding]:
    target = unwrap_parens(node.child_by_field_name("expression"))
    attrpath = node.child_by_field_name("attrpath")
    if target is None or attrpath is None or doc.node_text(target) != "builtins":
        return
    name = doc.node_text(attrpath)
    if name in _IMPURE_BUILTINS:
        # `getEnv` is mostly a deliberate knob for `--impure` builds: worth knowing, no more.
        severity = Severity.INFO if name == "getEnv" else None
        yield NXA603.finding(span(node), f"`builtins.{name}` in a flake {_IMPURE_BUILTINS[name]}",
                             severity=severity)


def _fetcher(doc: ParsedDocument, node: Node, in_flake: bool) -> Iterator[Finding]:
    parent = node.parent
    if parent is not None and parent.type == "apply_expression" \
            and parent.child_by_field_name("function") == node:
        return  # the outer application is the whole call
    function, args = flatten_apply(node)
    callee = doc.node_text(unwrap_parens(function) or function)
    if not args:
        return
    argument = unwrap_parens(args[0]) or args[0]
    if in_flake and callee in _FETCHERS:
        keys = _FETCHERS[callee]
        if argument.type in STRING_KINDS or argument.type == "path_expression":
            present: set[str] = set()
        elif argument.type in ATTRSET_KINDS:
            present = _keys(argument)
            if None in present:
                return  # an `inherit` or dynamic key: cannot tell
        else:
            return
        if not present & set(keys):
            need = " or ".join(f"`{k}`" for k in keys[:2])
            yield NXA603.finding(
                span(node),
                f"`{callee}` without {need} in a flake: a pure evaluation rejects it and "
                "the download can change under you; add the hash (`nix-prefetch-url --unpack`)"
                if "sha256" in keys else
                f"`{callee}` without {need} in a flake: it follows whatever the branch holds "
                "today; pin a `rev`",
            )
        return
    short = callee.rsplit(".", 1)[-1]
    if short in _SOURCE_FETCHERS and argument.type in ATTRSET_KINDS:
        for binding in bindings_of(argument):
            if attrpath_names(binding) != ["rev"]:
                continue
            value = unwrap_parens(binding.child_by_field_name("expression"))
            text = static_string(value) if value is not None and value.type in STRING_KINDS \
                else None
            if text is not None and (text in _BRANCHES or text.startswith("refs/heads/")):
                yield NXA603.finding(
                    span(value),
                    f"`{short}` with the branch `{text}` as `rev`: the hash breaks at the "
                    "branch's next commit; use a commit or a tag",
                    severity=Severity.WARNING,
                )


def _in_formal_default(node: Node) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.type == "formal":
            return True
        if parent.type in ("function_expression", "binding"):
            return False
        parent = parent.parent
    return False


def _keys(attrset: Node) -> set[str | None]:
    keys: set[str | None] = set()
    for binding in bindings_of(attrset):
        if binding.type != "binding":
            keys.add(None)
            continue
        names = attrpath_names(binding)
        keys.add(names[0] if names else None)
    return keys
