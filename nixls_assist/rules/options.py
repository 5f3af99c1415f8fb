"""NXA1xx: option definitions checked against the options of the pinned release."""

from __future__ import annotations

from collections.abc import Iterator

from nixls_assist.context import FileContext
from nixls_assist.findings import Applicability, Finding, Fix, Severity, Span
from nixls_assist.rules.base import FixAvailability, Indexes, Rule
from nixls_assist.rules.option_targets import (
    SYSTEM_LABEL,
    Judged,
    declared_in_workspace,
    file_bindings,
    judged_bindings,
    unpinned_systems,
)
from nixls_assist.rules.path_rewrites import deletion_edit, rename_edits
from nixls_assist.syntax.bindings import OptionBinding
from nixls_assist.syntax.document import ParsedDocument
from option_index.model import DriftRecord, Lookup
from option_index.paths import show_path, split_path
from option_index.releases import release_key

_INPUT_NAMES = {"nixos": "nixpkgs", "home-manager": "home-manager"}

NXA100 = Rule(
    code="NXA100",
    name="release-unknown",
    severity=Severity.INFO,
    summary="the file's release could not be determined, so option checks are skipped",
)
NXA101 = Rule(
    code="NXA101",
    name="renamed-option",
    severity=Severity.WARNING,
    summary="option renamed in (or before) the pinned release",
    fix=FixAvailability.SOMETIMES,
)
NXA102 = Rule(
    code="NXA102",
    name="removed-option",
    severity=Severity.ERROR,
    summary="option removed in (or before) the pinned release",
    fix=FixAvailability.SOMETIMES,
)
NXA103 = Rule(
    code="NXA103",
    name="option-from-a-newer-release",
    severity=Severity.WARNING,
    summary="option does not exist yet in the pinned release",
    fix=FixAvailability.SOMETIMES,
)
NXA104 = Rule(
    code="NXA104",
    name="unknown-option",
    severity=Severity.INFO,
    summary="option path not found in the pinned release's options",
    fix=FixAvailability.SOMETIMES,
)


@NXA100.check
def release_unknown(
    doc: ParsedDocument, ctx: FileContext, index: Indexes | None
) -> Iterator[Finding]:
    """No release pin was found for a module, so release-aware checks are skipped.

    ## What it does
    Says once per file that the renamed / removed / unknown option checks did not run,
    because no `flake.lock` with a `nixpkgs` (or `home-manager`) input was found above
    the file and no release was configured.

    ## Why is this bad?
    Option names change between releases. Guessing the release would produce findings
    for the wrong one; saying nothing would look like a clean bill of health.

    ## Example
    A `configuration.nix` of a channel-based system, checked outside any flake.

    Use instead: `nixls-assist check --release 24.11`, or `release = "24.11"` in
    `.nixls-assist.toml`.

    ## Fix safety
    No fix: the release is a fact about your machine.

    ## References
    - https://nixos.org/manual/nixos/stable/#sec-upgrading
    """
    missing = unpinned_systems(doc, ctx)
    if missing:
        names = " and ".join(f"`{_INPUT_NAMES[s]}`" for s in missing)
        systems = " / ".join(SYSTEM_LABEL[s] for s in missing)
        yield NXA100.finding(
            Span(0, 0),
            f"no release pin for this {systems} module (no flake.lock input {names}); "
            f"option checks skipped — pass `--release` or set `release` in .nixls-assist.toml",
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

    for j, record in _outermost_drift(judged):
        if record.kind not in ("renamed", "alias") or not record.to_path:
            continue
        new_path = split_path(record.to_path)
        edits = rename_edits(j.binding, new_path, all_bindings, target_of)
        fixes = ()
        # A target with a placeholder (`settings.*.AddKeysToAgent`) cannot be written as is.
        if edits is not None and not any(s in ("*", "<name>") for s in new_path):
            fixes = (Fix(f"Rename to `{record.to_path}`", edits, Applicability.SAFE),)
        verb = "is an alias of" if record.kind == "alias" else "was renamed to"
        severity = Severity.INFO if record.kind == "alias" else None
        yield NXA101.finding(
            j.binding.own_span,
            f"`{j.binding.dotted}` {verb} `{record.to_path}` {_when(record, j)}{_chain(record)}",
            option=j.binding.dotted,
            release=j.index.release,
            fixes=fixes,
            severity=severity,
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
    for j, record in _outermost_drift(list(judged_bindings(doc, ctx, index))):
        if record.kind not in ("removed", "changed", "merged"):
            continue
        note = record.message.strip().rstrip(".")
        if record.kind == "removed":
            severity = Severity.WARNING if record.path_inferred else Severity.ERROR
            what = f"was removed {_when(record, j)}"
        else:
            severity = Severity.WARNING
            target = f" by `{record.to_path}`" if record.to_path else ""
            what = f"was replaced{target} with a different value shape {_when(record, j)}"
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


@NXA103.check
def option_from_newer_release(
    doc: ParsedDocument, ctx: FileContext, index: Indexes | None
) -> Iterator[Finding]:
    """Definition of an option that only exists in a newer release than the pinned one.

    ## What it does
    Finds option paths that the pinned release does not have yet: the new name of a
    later rename (`hardware.graphics.enable` on 24.05), or an option the pinned
    home-manager release's option set lacks while a newer release has it.

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
        if _under_any(j.binding, reported) or j.pin.release == "unstable":
            continue
        path = show_path(j.binding.path)
        earlier = j.index.renamed_from(path)
        exists = j.index.has_option_set and j.index.lookup(j.binding.path)[0] is not Lookup.UNKNOWN
        if (
            earlier is not None
            and not exists
            and release_key(earlier.release) > release_key(j.index.release)
        ):
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
        later = j.index.added_later(j.binding.path)
        if (
            later is not None
            and j.index.drift(j.binding.path) is None
            and not declared_in_workspace(ctx, j.binding.path)
        ):
            reported.append(j.binding)
            yield NXA103.finding(
                j.binding.own_span,
                f"`{j.binding.dotted}` does not exist in {j.where}; it was added in {later} "
                f"({j.pin.phrase}) — remove it or update the input",
                option=j.binding.dotted,
                release=j.index.release,
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
        if _under_any(binding, reported) or not j.index.has_option_set:
            continue
        if "*" in binding.path or j.index.lookup(binding.path)[0] is not Lookup.UNKNOWN:
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


def _outermost_drift(judged: list[Judged]) -> Iterator[tuple[Judged, DriftRecord]]:
    """Drift per definition, skipping definitions inside an already reported one."""
    reported: list[OptionBinding] = []
    for j in judged:
        if _under_any(j.binding, reported):
            continue
        record = j.index.drift(j.binding.path)
        if record is None or "*" in j.binding.path[: len(split_path(record.from_path))]:
            continue
        reported.append(j.binding)
        yield j, record


def _under_any(binding: OptionBinding, outer: list[OptionBinding]) -> bool:
    return any(
        o.scope == binding.scope
        and binding.path[: len(o.path)] == o.path
        and o.binding_span.start <= binding.binding_span.start
        and binding.binding_span.end <= o.binding_span.end
        for o in outer
    )


def _when(record: DriftRecord, judged: Judged) -> str:
    """`in 24.11 (release inferred; pinned to `nixos-24.11` via flake.lock)`."""
    notes = []
    if record.release_inferred and not record.release_window:
        notes.append("release inferred")
    if record.path_inferred:
        notes.append("path reconstructed from release notes")
    notes.append(judged.pin.phrase)
    when = f"in or before {record.release}" if record.release_window else f"in {record.release}"
    return f"{when} ({'; '.join(notes)})"


def _chain(record: DriftRecord) -> str:
    return f" via `{'` → `'.join(record.chain)}`" if record.chain else ""
