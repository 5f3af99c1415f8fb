"""Option paths the pinned release's option set does not have (NXA104)."""

from __future__ import annotations

from collections.abc import Iterator

from nixls_assist.context import FileContext
from nixls_assist.findings import Applicability, Finding, Fix, Severity
from nixls_assist.rules.base import FixAvailability, Indexes, Rule
from nixls_assist.rules.option_targets import (
    Judged,
    declared_in_workspace,
    judged_bindings,
)
from nixls_assist.rules.options.drift_sites import under_any
from nixls_assist.rules.path_rewrites import rename_edits
from nixls_assist.syntax.bindings import OptionBinding
from nixls_assist.syntax.document import ParsedDocument
from option_index.model import Lookup, Typo
from option_index.paths import show_path, split_path
from option_index.releases import release_key

NXA104 = Rule(
    code="NXA104",
    name="unknown-option",
    severity=Severity.INFO,
    summary="option path not found in the pinned release's options",
    fix=FixAvailability.SOMETIMES,
    needs_index=True,
)


@NXA104.check
def unknown_option(
    doc: ParsedDocument, ctx: FileContext, index: Indexes | None
) -> Iterator[Finding]:
    """Definition of an option path that the pinned release's options do not have.

    ## What it does
    Reports a name inside a known module's options that is a slip of an option that module
    declares, with the option it most likely meant: a letter-case difference
    (`enable32bit`), singular for plural (`networking.firewall.allowedTCPPort`), or one or
    two letters off (`services.openssh.enabel`, `boot.loader.systemd-boot.enabled`). The
    message says how sure it is and which option set was asked:
    - home-manager (23.05 .. master) and NixOS releases with a fetched or built
      `options.json`: the exact option set of the pinned release;
    - NixOS without one (23.11 and newer): the nixos-unstable option set of 2024-12-19 that
      ships with nixls-assist. Only slips of a sibling are reported there; a name that module
      does not have at all may be newer than that set.

    With an exact option set, a name with no close sibling is reported too, but only when it
    is the whole definition (not an attribute set of values below it: internal options such as
    `programs.git.iniContent` hold free data) and the workspace's `flake.lock` has no input
    that could declare options (anything but nixpkgs, home-manager, nix-darwin and flake
    plumbing such as flake-utils, flake-parts, systems, flake-compat, treefmt-nix, git-hooks,
    rust-overlay): modules from inputs (catppuccin, stylix, nix-index-database, …) add
    options inside existing modules (`programs.bat.catppuccin.enable`).

    Never reported: paths below freeform values (`settings`, `extraConfig`), below
    attrs-of-submodule names (`users.users.<name>`, `fileSystems."/"`), in namespaces the
    option set does not cover (`sops`, `age`, `disko`, `environment.persistence`, …), directly
    below a namespace of modules (`services.*`, `programs.*`), options declared by the
    workspace's own modules (`options.…`), and renamed / removed / not-yet options (NXA101 -
    NXA103). nix-darwin modules are not checked.

    ## Why is this bad?
    An unknown option fails evaluation with "The option … does not exist".

    ## Example
    ```nix
    services.openssh.enabel = true;
    networking.firewall.allowedTCPPort = [ 22 ];
    programs.git.userNmae = "Alice";
    ```

    Use instead:
    ```nix
    services.openssh.enable = true;
    networking.firewall.allowedTCPPorts = [ 22 ];
    programs.git.userName = "Alice";
    ```

    ## Fix safety
    Unsafe: the closest name is offered in the editor, never applied automatically.

    ## References
    - https://search.nixos.org/options
    - https://nix-community.github.io/home-manager/options.xhtml
    """
    reported: list[OptionBinding] = []
    inputs: list[str] | None = None
    for j in judged_bindings(doc, ctx, index):
        binding = j.binding
        if "*" in binding.path or j.index.lookup(binding.path)[0] not in _MISSING:
            continue
        typo = j.index.typo(binding.path)
        if typo is None and not j.index.has_option_set:
            continue
        unknown = typo.unknown if typo else _first_unknown_prefix(j, binding.path)
        if under_any(binding, reported) or not _unexplained(j, ctx, unknown):
            continue
        if typo is not None and _not_yet(j, typo.suggestion):
            continue  # the sibling itself is newer than the pinned release
        if typo is None:
            if unknown != binding.path or not _is_module_attrset(j, unknown[:-1]):
                continue
            if inputs is None:
                inputs = option_inputs(ctx)
            if inputs is None or inputs:
                continue  # a module from a flake input may declare it
        reported.append(binding)
        yield _finding(j, typo)


_MISSING = (Lookup.UNKNOWN, Lookup.NOT_INDEXED)
_SURE = {
    "case": ("almost certainly", "only the letter case differs"),
    "plural": ("likely", "singular / plural"),
    "spelling": ("likely", "one or two letters off"),
}


def _unexplained(j: Judged, ctx: FileContext, unknown: tuple[str, ...]) -> bool:
    """No other explanation for `unknown`: own modules, drift, history, a newer pin."""
    if declared_in_workspace(ctx, unknown):
        return False  # declared by the user's own modules
    if j.index.drift(unknown) is not None or j.index.added_later(unknown):
        return False  # reported as renamed / removed / not yet
    if j.index.existed_before(unknown):
        return False  # hidden or deprecated without a rename record: not provably wrong
    newer = j.newer
    return not (newer is not None and newer.has_option_set
                and newer.lookup(unknown)[0] is not Lookup.UNKNOWN)  # an unstable pin may have it


def _not_yet(j: Judged, suggestion: tuple[str, ...]) -> bool:
    earlier = j.index.renamed_from(show_path(suggestion))
    return (earlier is not None and j.pin.release != "unstable"
            and release_key(earlier.release) > release_key(j.index.release))


def _finding(j: Judged, typo: Typo | None) -> Finding:
    binding = j.binding
    fixes: tuple[Fix, ...] = ()
    if typo is None:
        suggestions = j.index.suggest(binding.path)
        target = split_path(suggestions[0]) if suggestions else None
        message = f"`{binding.dotted}` is not an option in {j.where} ({j.pin.phrase})"
        if target:
            message += f"; did you mean `{suggestions[0]}`?"
    else:
        target = typo.suggestion
        shown = show_path(target)
        if typo.against is None:
            message = (f"`{binding.dotted}` is not an option in {j.where} ({j.pin.phrase}); "
                       f"did you mean `{shown}`?")
        else:
            sure, how = _SURE[typo.how]
            message = (f"`{binding.dotted}` is {sure} a misspelling of `{shown}` ({how}): "
                       f"`{show_path(typo.unknown[:-1])}` has no `{typo.unknown[-1]}` in "
                       f"{typo.against} (no exact {j.where} option set here; {j.pin.phrase})")
    if target:
        edits = rename_edits(binding, target, (), lambda _b: None)
        if edits:
            fixes = (Fix(f"Change to `{show_path(target)}`", edits, Applicability.UNSAFE),)
    return NXA104.finding(binding.own_span, message, option=binding.dotted,
                          release=j.index.release, fixes=fixes)


# Inputs that declare no NixOS / home-manager options of their own (by repository name).
_PLUMBING = frozenset({
    "nixpkgs", "home-manager", "nix-darwin", "flake-utils", "flake-parts", "systems", "default",
    "flake-compat", "treefmt-nix", "pre-commit-hooks.nix", "git-hooks.nix", "devshell",
    "rust-overlay", "fenix", "gitignore.nix", "nix-github-actions",
})


def option_inputs(ctx: FileContext) -> list[str] | None:
    """Root inputs of the workspace's flake that may declare options; None without a lock."""
    lock = ctx.lock
    if lock is None:
        return None
    found = []
    for name in lock.root_inputs():
        node = lock.resolve([name])
        original = node.original if node is not None else {}
        repo = str(original.get("repo") or original.get("id") or name).lower()
        repo = repo.removesuffix(".git")
        if repo not in _PLUMBING and not repo.startswith("nixpkgs"):
            found.append(name)
    return found


def _is_module_attrset(j: Judged, path: tuple[str, ...]) -> bool:
    """An attrset that declares options directly (`programs.git`), not only sub-modules."""
    if len(path) < 2 or j.index.lookup(path)[0] is not Lookup.PREFIX:
        return False
    return any(option is not None for _, option in j.index.children(path))


def _first_unknown_prefix(j: Judged, path: tuple[str, ...]) -> tuple[str, ...]:
    for end in range(1, len(path) + 1):
        if j.index.lookup(path[:end])[0] is Lookup.UNKNOWN:
            return path[:end]
    return path
