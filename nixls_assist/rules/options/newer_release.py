"""Definitions of options the pinned release does not have yet (NXA103)."""

from __future__ import annotations

from collections.abc import Iterator

from nixls_assist.context import FileContext
from nixls_assist.findings import Applicability, Finding, Fix, Severity
from nixls_assist.rules.base import FixAvailability, Indexes, Rule
from nixls_assist.rules.option_targets import (
    declared_in_workspace,
    file_bindings,
    judged_bindings,
)
from nixls_assist.rules.options.drift_sites import under_any
from nixls_assist.rules.path_rewrites import rename_edits
from nixls_assist.syntax.bindings import OptionBinding
from nixls_assist.syntax.document import ParsedDocument
from option_index.model import Lookup
from option_index.paths import show_path, split_path
from option_index.releases import release_key

NXA103 = Rule(
    code="NXA103",
    name="option-from-a-newer-release",
    severity=Severity.WARNING,
    summary="option does not exist yet in the pinned release",
    fix=FixAvailability.SOMETIMES,
    needs_index=True,
)


@NXA103.check
def option_from_newer_release(
    doc: ParsedDocument, ctx: FileContext, index: Indexes | None
) -> Iterator[Finding]:
    """Definition of an option that only exists in a newer release than the pinned one.

    ## What it does
    Finds option paths that the pinned release does not have yet: the new name of a
    later rename (`hardware.graphics.enable` on 24.05), or a home-manager option that a
    newer release's module source declares while the pinned release's source (hidden
    options included, not only the manual) does not.

    ## Why is this bad?
    The documentation on the web describes unstable; copying from it into a
    configuration pinned to an older release fails with "option does not exist".

    ## Example
    ```nix
    hardware.graphics.enable = true;  # pinned to nixos-24.05
    ```

    Use instead:
    ```nix
    hardware.opengl.enable = true;
    ```
    or update the `nixpkgs` input to the release that has the option.

    ## Fix safety
    Safe when the option is the new name of a rename: the old name is written back.
    Otherwise no fix; update the pinned input instead.

    ## References
    - https://search.nixos.org/options (choose the channel you are pinned to)
    """
    reported: list[OptionBinding] = []
    judged = list(judged_bindings(doc, ctx, index))
    all_bindings = file_bindings(doc, ctx)
    for j in judged:
        if j.pin.release == "unstable":
            continue
        # The nesting test (`under_any`) comes last in each branch: it is the costly one.
        earlier = j.index.renamed_from(show_path(j.binding.path))
        if (
            earlier is not None
            and release_key(earlier.release) > release_key(j.index.release)
            and not (j.index.has_option_set
                     and j.index.lookup(j.binding.path)[0] is not Lookup.UNKNOWN)
        ):
            if under_any(j.binding, reported):
                continue
            old = split_path(earlier.from_path)
            edits = rename_edits(j.binding, old, all_bindings, lambda _b: None)
            fixes = (
                (
                    Fix(
                        f"Use the {j.index.release} name `{earlier.from_path}`",
                        edits,
                        Applicability.SAFE,
                    ),
                )
                if edits
                else ()
            )
            reported.append(j.binding)
            yield NXA103.finding(
                j.binding.own_span,
                f"`{j.binding.dotted}` does not exist in {j.where}: it is the {earlier.release} "
                f"name of `{earlier.from_path}` ({j.pin.phrase}); use the old name or update "
                f"the input",
                option=j.binding.dotted,
                release=j.index.release,
                fixes=fixes,
            )
            continue
        # Absence from the pinned manual is no proof (hidden options are left out of it):
        # only a path the pinned release's source provably lacks is reported.
        later = j.index.added_later_proven(j.binding.path)
        if (
            later is not None
            and j.index.drift(j.binding.path) is None
            and not declared_in_workspace(ctx, j.binding.path)
            and not under_any(j.binding, reported)
        ):
            reported.append(j.binding)
            yield NXA103.finding(
                j.binding.own_span,
                f"`{j.binding.dotted}` does not exist in {j.where}; it was added in {later} "
                f"({j.pin.phrase}) — remove it or update the input",
                option=j.binding.dotted,
                release=j.index.release,
            )
