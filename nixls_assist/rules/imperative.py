"""NXA401: imperative package installs (`nix-env -i`, `nix profile install`) in scripts."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from tree_sitter import Node

from nixls_assist.context import FileContext, FileKind
from nixls_assist.findings import Applicability, Edit, Finding, Fix, Severity, Span
from nixls_assist.rules.base import FixAvailability, Indexes, Rule
from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.enclosing import enclosing_path
from nixls_assist.syntax.nodes import (
    ATTRSET_KINDS,
    STRING_KINDS,
    attrpath_names,
    callee_name,
    flatten_apply,
)
from nixls_assist.syntax.package_lists import (
    DEV_SHELL_KEYS,
    PackageList,
    insertion_edit,
    list_of,
    package_lists,
)
from nixls_assist.syntax.shell_installs import (
    PLACEHOLDER,
    SHELL_SUFFIXES,
    ShellInstall,
    find_installs,
)

if TYPE_CHECKING:
    from nixls_assist.rules.engine import Selection

NXA401 = Rule(
    code="NXA401",
    name="imperative-package-install",
    severity=Severity.WARNING,
    summary="`nix-env -i` / `nix profile install` in a script instead of a declared package",
    fix=FixAvailability.SOMETIMES,
)

WRITERS = frozenset({"writeShellScript", "writeShellScriptBin", "writeScript", "writeScriptBin",
                     "writeBash", "writeBashBin", "writeDash", "writeDashBin",
                     "writeShellApplication"})
SYSTEMD_SCRIPT_KEYS = frozenset({"script", "preStart", "postStart", "preStop", "postStop",
                                 "reload"})
SHELL_INIT_KEYS = frozenset({"interactiveShellInit", "shellInit", "loginShellInit", "initExtra",
                             "initContent", "profileExtra", "bashrcExtra", "envExtra"})
_MENTION = re.compile(rb"nix-env|nix[ \t]+profile")
DOC_KEYS = frozenset({"description", "example", "meta", "longDescription", "_doc"})


class Target(enum.Enum):
    """Where the package belongs instead."""

    NIXOS = "environment.systemPackages"
    HOME_MANAGER = "home.packages"
    DEV_SHELL = "packages"
    UNKNOWN = "environment.systemPackages` or `home.packages"


@dataclass(frozen=True)
class ScriptInstall:
    install: ShellInstall  # offsets are byte offsets in the document
    where: str  # `systemd.services.setup.script`, `shellHook`, `a shell script`
    target: Target
    can_comment_out: bool  # the command stands alone on a line of a multi-line script
    shell_attrset: Node | None = None  # the `mkShell { … }` argument, for DEV_SHELL


@NXA401.check
def imperative_package_install(
    doc: ParsedDocument, ctx: FileContext, index: Indexes | None
) -> Iterator[Finding]:
    """A script installs packages imperatively with `nix-env -i` or `nix profile install`.

    ## What it does
    Finds `nix-env -i`, `nix-env -iA nixos.foo`, `nix-env --install` and
    `nix profile install nixpkgs#foo` in Nix strings that become scripts —
    `system.activationScripts`, `systemd.services.<name>.script`, `home.activation`,
    `shellAliases`, shell init options, `writeShellScript(Bin)`, `writeShellApplication`,
    `shellHook` — and in the repository's shell scripts (`*.sh`) that `check` is pointed
    at. Comments, `echo`ed text, documentation strings and queries
    (`nix-env -q`, `--list-generations`, `--delete-generations`) are not reported.

    ## Why is this bad?
    A package installed imperatively lives in a user profile that no configuration
    knows about: it is not rebuilt, not rolled back, not reproduced on the next machine,
    and it silently shadows or conflicts with the declared system.

    ## Example
    ```nix
    system.activationScripts.tools = ''
      nix-env -iA nixos.ripgrep
    '';
    ```

    Use instead:
    ```nix
    environment.systemPackages = with pkgs; [ ripgrep ];
    ```

    ## Fix safety
    When the attribute is certain (`-iA nixos.foo`, `nixpkgs#foo`) and the list is in the
    same file, the fix adds the package to `environment.systemPackages` /
    `home.packages` (or the `mkShell`'s `packages`) in the list's style and comments out
    the command: safe. For `nix-env -i name` (a derivation name, the attribute may
    differ) or a command that shares its line the fix is unsafe. When the list lives in
    another file of the workspace the editor's code action and `check --fix` compute the
    edit there; the finding itself then only describes it.

    ## References
    - https://nix.dev/manual/nix/stable/command-ref/nix-env
    - https://nixos.org/manual/nixos/stable/#sec-declarative-package-mgmt
    """
    for item in script_installs(doc, ctx):
        yield _finding(doc, item)


def shell_selection(selection: Selection) -> Selection:
    """The part of `selection` that runs on a shell script: NXA401 alone (or nothing)."""
    if not selection.enabled(NXA401.code):
        return replace(selection, select=(NXA401.code,), ignore=(NXA401.code,))
    return replace(selection, select=(NXA401.code,))


def script_installs(doc: ParsedDocument, ctx: FileContext) -> list[ScriptInstall]:
    """Every imperative install in the document's scripts (shared with the code actions)."""
    if doc.skipped:
        return []
    if ctx.path is not None and ctx.path.suffix in SHELL_SUFFIXES:
        text = doc.source.decode("latin-1")
        return [ScriptInstall(i, "a shell script", Target.UNKNOWN, i.alone)
                for i in find_installs(text)]
    # Only strings that mention the commands can hold one: find those, not every string.
    strings: dict[tuple[int, int], Node] = {}
    for match in _MENTION.finditer(doc.source):
        node = doc.root.named_descendant_for_byte_range(match.start(), match.end())
        while node is not None and node.type not in STRING_KINDS:
            node = node.parent
        if node is not None:
            strings.setdefault((node.start_byte, node.end_byte), node)
    found: list[ScriptInstall] = []
    for _, node in sorted(strings.items()):
        found.extend(_string_installs(doc, ctx, node))
    return found


def _string_installs(doc: ParsedDocument, ctx: FileContext, node: Node) -> list[ScriptInstall]:
    context = _script_context(doc, ctx, node)
    if context is None:
        return []
    where, target, shell_attrset = context
    # A latin-1 view keeps byte offsets; interpolations become placeholders of equal length.
    raw = bytearray(doc.source[node.start_byte : node.end_byte])
    for child in node.named_children:
        if child.type == "interpolation":
            start, end = child.start_byte - node.start_byte, child.end_byte - node.start_byte
            raw[start:end] = PLACEHOLDER.encode() * (end - start)
    delimiter = 2 if node.type == "indented_string_expression" else 1
    raw[:delimiter] = b" " * delimiter
    raw[len(raw) - delimiter :] = b" " * delimiter
    multiline = node.type == "indented_string_expression" and b"\n" in raw
    results = []
    for install in find_installs(raw.decode("latin-1")):
        shifted = ShellInstall(
            install.start + node.start_byte, install.end + node.start_byte, install.command,
            install.packages, install.line_start + node.start_byte, install.alone,
        )
        results.append(ScriptInstall(shifted, where, target, multiline and install.alone,
                                     shell_attrset))
    return results


def _script_context(
    doc: ParsedDocument, ctx: FileContext, node: Node
) -> tuple[str, Target, Node | None] | None:
    path = enclosing_path(doc, node)
    if DOC_KEYS & set(path):
        return None
    target = _target(ctx, path)
    for i, name in enumerate(path):
        if name == "activationScripts" and len(path) > i + 1:
            return _dotted(path[max(i - 1, 0) : i + 2]), target, None
        if path[i : i + 2] == ("home", "activation") and len(path) > i + 2:
            return _dotted(path[i : i + 3]), Target.HOME_MANAGER, None
        if (name == "services" and "systemd" in path[:i] and len(path) == i + 3
                and path[-1] in SYSTEMD_SCRIPT_KEYS):
            return _dotted(path[path.index("systemd") :]), target, None
        if name == "shellAliases" and len(path) == i + 2:
            return _dotted(path[max(i - 2, 0) :]), target, None
    if path and path[-1] == "shellHook":
        return "shellHook", Target.DEV_SHELL, _shell_attrset(node)
    if path and path[-1] in SHELL_INIT_KEYS:
        return _dotted(path[-3:]), target, None
    writer = _writer_of(node)
    if writer is not None:
        return f"`{writer}`", target, None
    return None


def _target(ctx: FileContext, path: tuple[str, ...]) -> Target:
    if ctx.kind is FileKind.HOME_MANAGER or path[:2] == ("home-manager", "users") or (
        "home-manager" in path and "users" in path
    ):
        return Target.HOME_MANAGER
    if ctx.kind in (FileKind.NIXOS, FileKind.DARWIN) or path[:1] in (("systemd",),
                                                                    ("system",),
                                                                    ("environment",)):
        return Target.NIXOS
    return Target.UNKNOWN


def _dotted(path: tuple[str, ...]) -> str:
    return ".".join(path)


def _writer_of(node: Node) -> str | None:
    """`writeShellScript "x" ''…''` (the string is an argument) or `{ text = ''…''; }`."""
    current = node
    for _ in range(4):
        parent = current.parent
        if parent is None:
            return None
        if parent.type == "apply_expression":
            function, args = flatten_apply(_apply_root(parent))
            name = callee_name(function)
            if name in WRITERS and any(a == current or _contains(a, node) for a in args):
                return name
            return None
        if parent.type == "binding" and _binding_name(parent) != "text":
            return None
        current = parent
    return None


def _apply_root(node: Node) -> Node:
    while node.parent is not None and node.parent.type == "apply_expression" and (
        node.parent.child_by_field_name("function") == node
    ):
        node = node.parent
    return node


def _contains(outer: Node, inner: Node) -> bool:
    return outer.start_byte <= inner.start_byte and inner.end_byte <= outer.end_byte


def _binding_name(binding: Node) -> str | None:
    """The name of a one-segment binding (`text = …`), else None."""
    names = attrpath_names(binding)
    return names[0] if len(names) == 1 else None


def _shell_attrset(node: Node) -> Node | None:
    parent = node.parent
    while parent is not None and parent.type not in ATTRSET_KINDS:
        parent = parent.parent
    return parent


# -- the finding and its same-file fix ---------------------------------------------------------


def _finding(doc: ParsedDocument, item: ScriptInstall) -> Finding:
    install = item.install
    command = doc.source[install.start : install.end].decode("utf-8", errors="replace")
    shown = command if len(command) <= 60 else command[:57] + "…"
    names = [p.attr or p.written for p in install.packages]
    what = ", ".join(f"`{n}`" for n in names) if names else "a package"
    message = f"`{shown}` installs {what} imperatively in {_where(item)}"
    certain = [p.attr for p in install.packages if p.attr is not None]
    if any(not p.exact for p in install.packages if p.attr is not None):
        message += " (`-i` takes a derivation name: the attribute may differ)"
    if certain:
        pronoun = "them" if len(certain) > 1 else "it"
        message += f": declare {pronoun} in `{item.target.value}` instead"
    else:
        message += ": declare the package in your configuration instead"
    fixes = _same_file_fix(doc, item, certain)
    return NXA401.finding(Span(install.start, install.end), message, fixes=fixes)


def _where(item: ScriptInstall) -> str:
    return item.where if item.where.startswith(("`", "a ")) else f"`{item.where}`"


def target_list(doc: ParsedDocument, item: ScriptInstall) -> PackageList | None:
    """The list in this document the packages belong in, if it has one."""
    if item.target is Target.DEV_SHELL:
        if item.shell_attrset is None:
            return None
        for binding in item.shell_attrset.named_children:
            for inner in binding.named_children if binding.type == "binding_set" else ():
                if inner.type == "binding" and _binding_name(inner) in DEV_SHELL_KEYS:
                    found = list_of(doc, inner, _binding_name(inner) or "packages")
                    if found is not None:
                        return found
        return None
    for plist in package_lists(doc):
        if plist.option == item.target.value:
            return plist
    return None


def comment_out_edit(doc: ParsedDocument, item: ScriptInstall) -> Edit | None:
    """`# ` before the command's line, in a multi-line script where it stands alone."""
    if not item.can_comment_out:
        return None
    at = item.install.line_start
    return Edit(Span(at, at), "# ")


def _same_file_fix(
    doc: ParsedDocument, item: ScriptInstall, attrs: list[str]
) -> tuple[Fix, ...]:
    if not attrs:
        return ()
    title_packages = ", ".join(f"`{a}`" for a in attrs)
    plist = target_list(doc, item)
    if plist is None:
        where = "the list in the module that has it (or the host's main module)"
        return (Fix(f"Declare {title_packages} in `{item.target.value}` — {where}", (),
                    Applicability.DISPLAY_ONLY),)
    insertion = insertion_edit(doc, plist, attrs)
    edits = [e for e in (insertion, comment_out_edit(doc, item)) if e]
    if not edits:
        return ()
    exact = all(p.exact for p in item.install.packages)
    safe = exact and item.can_comment_out
    if insertion is None:
        title = f"Comment out the command: {title_packages} already in `{plist.option}`"
    else:
        title = f"Declare {title_packages} in `{plist.option}`"
        if item.can_comment_out:
            title += " and comment out the command"
    return (Fix(title, tuple(edits), Applicability.SAFE if safe else Applicability.UNSAFE),)
