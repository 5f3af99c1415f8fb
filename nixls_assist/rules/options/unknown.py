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
from option_index.model import Lookup
from option_index.paths import split_path

NXA104 = Rule(
    code="NXA104",
    name="unknown-option",
    severity=Severity.INFO,
    summary="option path not found in the pinned release's options",
    fix=FixAvailability.SOMETIMES,
)


@NXA104.check
def unknown_option(
    doc: ParsedDocument, ctx: FileContext, index: Indexes | None
) -> Iterator[Finding]:
    """Definition of an option path that the pinned release's options do not have.

    ## What it does
    Reports option paths that are not in the pinned release's option set, below an
    attribute set of options the index knows (a typo inside `services.openssh`), with
    "did you mean" suggestions. Paths below freeform `settings`, attrs-of-submodule
    names (`users.users.<name>`), namespaces the index does not cover (`sops`, `disko`,
    third-party modules) and options declared in your own modules are never reported.

    ## Why is this bad?
    An unknown option fails evaluation with "The option … does not exist".

    ## Example
    ```nix
    services.openssh.settings.PermitRootLogn = "no";  # inside a freeform set: not reported
    programs.git.userNmae = "Alice";
    ```

    Use instead:
    ```nix
    programs.git.userName = "Alice";
    ```

    ## Fix safety
    Unsafe: the closest name is offered in the editor, never applied automatically.

    ## References
    - https://search.nixos.org/options
    - https://nix-community.github.io/home-manager/options.xhtml
    """
    reported: list[OptionBinding] = []
    for j in judged_bindings(doc, ctx, index):
        binding = j.binding
        if not j.index.has_option_set or "*" in binding.path:
            continue
        if j.index.lookup(binding.path)[0] is not Lookup.UNKNOWN or under_any(binding, reported):
            continue
        unknown = _first_unknown_prefix(j, binding.path)
        if declared_in_workspace(ctx, unknown):
            continue  # declared by the user's own modules
        if j.index.drift(unknown) is not None or j.index.added_later(unknown):
            continue  # reported as renamed / removed / not yet
        if j.index.existed_before(unknown):
            continue  # hidden or deprecated without a rename record: not provably wrong
        if j.newer is not None and j.newer.lookup(unknown)[0] is not Lookup.UNKNOWN:
            continue  # an unstable pin may already have it
        if not _is_module_attrset(j, unknown[:-1]):
            # `programs.nixvim`: a namespace of modules gains modules from third parties
            # (nixvim, stylix, …); only a typo inside a known module is provably wrong.
            continue
        suggestions = j.index.suggest(binding.path)
        reported.append(binding)
        hint = f"; did you mean `{suggestions[0]}`?" if suggestions else ""
        fixes = ()
        if suggestions:
            edits = rename_edits(binding, split_path(suggestions[0]), (), lambda _b: None)
            if edits:
                fixes = (Fix(f"Change to `{suggestions[0]}`", edits, Applicability.UNSAFE),)
        yield NXA104.finding(
            binding.own_span,
            f"`{binding.dotted}` is not an option in {j.where} ({j.pin.phrase}){hint}",
            option=binding.dotted,
            release=j.index.release,
            fixes=fixes,
        )


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
