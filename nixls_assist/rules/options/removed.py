"""Definitions of options removed in or before the pinned release (NXA102)."""

from __future__ import annotations

from collections.abc import Iterator

from nixls_assist.context import FileContext
from nixls_assist.findings import Applicability, Finding, Fix, Severity
from nixls_assist.rules.base import FixAvailability, Indexes, Rule
from nixls_assist.rules.option_targets import (
    judged_bindings,
)
from nixls_assist.rules.options.drift_sites import outermost_drift, when
from nixls_assist.rules.path_rewrites import deletion_edit
from nixls_assist.syntax.document import ParsedDocument

NXA102 = Rule(
    code="NXA102",
    name="removed-option",
    severity=Severity.ERROR,
    summary="option removed in (or before) the pinned release",
    fix=FixAvailability.SOMETIMES,
)


@NXA102.check
def removed_option(
    doc: ParsedDocument, ctx: FileContext, index: Indexes | None
) -> Iterator[Finding]:
    """Definition of an option that was removed in or before the pinned release.

    ## What it does
    Finds definitions of option paths that the pinned release removed
    (`mkRemovedOptionModule`) or replaced with an option of a different shape
    (`mkChangedOptionModule`), and shows the removal note: what replaced it, if anything.

    ## Why is this bad?
    Defining a removed option makes evaluation fail with an error; a changed option
    keeps working only until its compatibility shim is dropped.

    ## Example
    ```nix
    sound.enable = true;  # removed in 24.11
    ```

    Use instead: delete it; with PipeWire or PulseAudio nothing else is needed.

    ## Fix safety
    Unsafe: removing the definition is offered in the editor but never applied by
    `check --fix`, because what replaces it is a decision about your system.

    ## References
    - NixOS release notes: https://nixos.org/manual/release-notes/
    """
    for j, record in outermost_drift(list(judged_bindings(doc, ctx, index))):
        if record.kind not in ("removed", "changed", "merged"):
            continue
        note = record.message.strip().rstrip(".")
        if record.kind == "removed":
            severity = Severity.WARNING if record.path_inferred else Severity.ERROR
            what = f"was removed {when(record, j)}"
        else:
            severity = Severity.WARNING
            target = f" by `{record.to_path}`" if record.to_path else ""
            what = f"was replaced{target} with a different value shape {when(record, j)}"
        fix = Fix(
            "Remove this definition",
            (deletion_edit(doc.source, j.binding.binding_span),),
            Applicability.UNSAFE,
        )
        yield NXA102.finding(
            j.binding.own_span,
            f"`{j.binding.dotted}` {what}" + (f": {note}" if note else ""),
            option=j.binding.dotted,
            release=j.index.release,
            fixes=(fix,),
            severity=severity,
        )
