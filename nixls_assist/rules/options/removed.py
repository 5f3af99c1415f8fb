"""Definitions of options removed in or before the pinned release (NXA102)."""

from __future__ import annotations

from collections.abc import Iterator

from nixls_assist.context import FileContext
from nixls_assist.findings import Applicability, Finding, Fix, Severity
from nixls_assist.rules.base import FixAvailability, Indexes, Rule, Tag
from nixls_assist.rules.option_targets import (
    judged_bindings,
)
from nixls_assist.rules.options.drift_sites import outermost_drift, when
from nixls_assist.rules.path_rewrites import deletion_edit
from nixls_assist.syntax.document import ParsedDocument
from option_index.model import Lookup
from option_index.releases import release_key

NXA102 = Rule(
    code="NXA102",
    name="removed-option",
    severity=Severity.ERROR,
    summary="option removed in (or before) the pinned release",
    fix=FixAvailability.SOMETIMES,
    tags=frozenset({Tag.DEPRECATED}),
    needs_index=True,
)


# Deprecations in the embedded NixOS data are known from an option set of this date.
_KNOWN_UNTIL, _KNOWN_UNTIL_TEXT = "24.11", "nixos-unstable of 2024-12-19"


@NXA102.check
def removed_option(
    doc: ParsedDocument, ctx: FileContext, index: Indexes | None
) -> Iterator[Finding]:
    """Definition of an option that was removed in or before the pinned release.

    ## What it does
    Finds definitions of option paths that the pinned release removed
    (`mkRemovedOptionModule`: error), replaced with an option of a different shape
    (`mkChangedOptionModule`: warning), or only deprecated (still declared, a warning when
    set, e.g. `virtualisation.docker.enableNvidia` from 24.05: warning), and shows the
    upstream note: what replaced it, if anything. A removal is an error only when the
    option path is known exactly; a path reconstructed from release notes is a warning.
    A change whose old option the pinned release's option set (home-manager, or a fetched
    NixOS `options.json`) still declares, or that the NixOS reference option set of
    2024-12-19 still declares, is reported as deprecated.

    ## Why is this bad?
    Defining a removed option makes evaluation fail with an error; a changed or
    deprecated option keeps working, with a warning, only until it is dropped.

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
        if record.kind not in ("removed", "changed", "merged", "deprecated"):
            continue
        note = record.message.strip().rstrip(".")
        kind, declared = record.kind, "still declared"
        if j.index.has_option_set and j.index.lookup(j.binding.path)[0] is Lookup.FOUND:
            if kind == "changed":
                kind = "deprecated"  # the exact option set still declares it
        elif kind == "deprecated" and release_key(j.index.release) > release_key(_KNOWN_UNTIL):
            declared = f"still declared as of {_KNOWN_UNTIL_TEXT}"
        target = f"`{record.to_path}`" if record.to_path else None
        if kind == "removed":
            severity = Severity.WARNING if record.path_inferred else Severity.ERROR
            what = f"was removed {when(record, j)}"
            if not record.path_inferred:
                what += "; defining it fails evaluation"
        elif kind == "deprecated":
            severity = Severity.WARNING
            what = (f"is deprecated since {record.release} ({j.pin.phrase}): {declared}, "
                    f"it warns when set" + (f"; use {target} instead" if target else ""))
        else:
            severity = Severity.WARNING
            what = (f"was replaced{' by ' + target if target else ''} with a different value "
                    f"shape {when(record, j)}")
        fix = Fix(
            "Remove this definition",
            (deletion_edit(doc.source, j.binding.binding_span),),
            Applicability.UNSAFE,
        )
        yield NXA102.finding(
            j.binding.own_span,
            f"`{j.binding.dotted}` {what}" + (f" — note: {note}" if note else ""),
            option=j.binding.dotted,
            release=j.index.release,
            fixes=(fix,),
            severity=severity,
        )
