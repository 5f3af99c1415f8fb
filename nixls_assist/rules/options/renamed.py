"""Definitions of options renamed in or before the pinned release (NXA101)."""

from __future__ import annotations

from collections.abc import Iterator

from nixls_assist.context import FileContext
from nixls_assist.findings import Applicability, Finding, Fix, Severity
from nixls_assist.rules.base import FixAvailability, Indexes, Rule, Tag
from nixls_assist.rules.option_targets import (
    file_bindings,
    judged_bindings,
)
from nixls_assist.rules.options.drift_sites import chain, outermost_drift, when
from nixls_assist.rules.path_rewrites import rename_edits
from nixls_assist.syntax.bindings import OptionBinding
from nixls_assist.syntax.document import ParsedDocument
from option_index.paths import is_placeholder, split_path

NXA101 = Rule(
    code="NXA101",
    name="renamed-option",
    severity=Severity.WARNING,
    summary="option renamed in (or before) the pinned release",
    fix=FixAvailability.SOMETIMES,
    tags=frozenset({Tag.DEPRECATED}),
    needs_index=True,
)


@NXA101.check
def renamed_option(
    doc: ParsedDocument, ctx: FileContext, index: Indexes | None
) -> Iterator[Finding]:
    """Definition of an option that was renamed in or before the pinned release.

    ## What it does
    Finds definitions of option paths that the pinned nixpkgs (or home-manager) release
    renamed, following chains of renames to the final name, e.g.
    `hardware.opengl.enable` → `hardware.graphics.enable` in 24.11.

    ## Why is this bad?
    Renamed options keep working for a while through an alias that prints a warning on
    every rebuild, and are then removed, which breaks the build after an upgrade.

    ## Example
    ```nix
    hardware.opengl.driSupport32Bit = true;
    ```

    Use instead:
    ```nix
    hardware.graphics.enable32Bit = true;
    ```

    ## Fix safety
    Safe: the attribute path is rewritten in place (values and comments are kept). When
    the old path is split across nested attrsets, the outer name is renamed only if every
    definition inside moves to the same new parent; otherwise no automatic fix is offered.

    ## References
    - NixOS release notes: https://nixos.org/manual/release-notes/
    - home-manager release notes: https://nix-community.github.io/home-manager/release-notes.xhtml
    """
    judged = list(judged_bindings(doc, ctx, index))
    all_bindings = file_bindings(doc, ctx)
    targets = {j.binding: j for j in judged}

    def target_of(binding: OptionBinding) -> tuple[str, ...] | None:
        j = targets.get(binding)
        record = j.index.drift(binding.path) if j else None
        if record is None or record.kind not in ("renamed", "alias") or not record.to_path:
            return None
        return split_path(record.to_path)

    for j, record in outermost_drift(judged):
        if record.kind not in ("renamed", "alias") or not record.to_path:
            continue
        new_path = split_path(record.to_path)
        edits = rename_edits(j.binding, new_path, all_bindings, target_of)
        fixes = ()
        # A target with a placeholder (`settings.*.AddKeysToAgent`) cannot be written as is.
        if edits is not None and not any(is_placeholder(s) for s in new_path):
            fixes = (Fix(f"Rename to `{record.to_path}`", edits, Applicability.SAFE),)
        verb = "is an alias of" if record.kind == "alias" else "was renamed to"
        severity = Severity.INFO if record.kind == "alias" else None
        yield NXA101.finding(
            j.binding.own_span,
            f"`{j.binding.dotted}` {verb} `{record.to_path}` {when(record, j)}{chain(record)}",
            option=j.binding.dotted,
            release=j.index.release,
            fixes=fixes,
            severity=severity,
        )
