"""NXA212: a referenced secret file its registry does not cover."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from nixls_assist.context import FileContext
from nixls_assist.context.secret_files import Registry, SecretWorkspace
from nixls_assist.findings import Applicability, Edit, Finding, Fix, Severity, Span
from nixls_assist.rules.base import FixAvailability, Indexes, Rule
from nixls_assist.rules.secret_registries.references import (
    FileReference,
    display_path,
    secret_references,
)
from nixls_assist.syntax.document import ParsedDocument

NXA212 = Rule(
    code="NXA212",
    name="secret-file-not-registered",
    severity=Severity.WARNING,
    summary="a secret file is not covered by its registry (agenix `secrets.nix`, `.sops.yaml`)",
    fix=FixAvailability.SOMETIMES,
)


@NXA212.check
def secret_file_not_registered(doc: ParsedDocument, ctx: FileContext,
                               indexes: Indexes | None) -> Iterator[Finding]:
    """A referenced `.age` file the agenix rules file does not list, or a sops file no
    `.sops.yaml` creation rule matches.

    ## What it does
    For `age.secrets.<name>.file`, finds the agenix rules files (`secrets.nix` with
    `publicKeys`) in the directories above the `.age` file and reports the file when none has
    it as a key. For `sops.defaultSopsFile` / `sops.secrets.<name>.sopsFile`, reports a file
    that no `creation_rules` entry of the `.sops.yaml` files above it matches (`path_regex`).
    A registry that is computed (`mkSecrets [ … ]`, `import ./default.nix`) or a regex that
    cannot be read is not judged. agenix-rekey's `rekeyFile` has no such registry.

    ## Why is this bad?
    `agenix -r` re-encrypts only the files the rules file lists, so a new host key never
    reaches this one, and `agenix -e` cannot edit it. sops uses `.sops.yaml` to choose the
    recipients when a file is created or its keys are updated (`sops updatekeys`); a file no
    rule matches is left out.

    ## Example
    ```nix
    # secrets/secrets.nix lists "wifi.age" only
    age.secrets.vpn.file = ../secrets/vpn.age;
    ```

    Use instead:
    ```nix
    # secrets/secrets.nix
    { "wifi.age".publicKeys = [ laptop ]; "vpn.age".publicKeys = [ laptop ]; }
    ```

    ## Fix safety
    For agenix, the fix adds the entry to the rules file with the recipients every other
    entry uses; it is offered only when all entries use the same ones. It edits the rules
    file, not this one, so it is offered in the editor and never applied by `check --fix`
    (unsafe); the file still has to be re-encrypted (`agenix -r`). Nothing is offered for
    sops: a creation rule needs the recipients' keys.

    ## References
    - agenix rules file: https://github.com/ryantm/agenix#tutorial
    - sops creation rules: https://github.com/getsops/sops#using-sops-yaml-conf-to-select-kms-pgp-and-age-for-new-files
    """
    references = secret_references(doc, ctx).files
    secrets = ctx.secrets if references else None
    if secrets is None:
        return
    for reference in references:
        target = reference.target
        if target is None or not secrets.exists(target):
            continue  # a missing file is NXA211's
        if reference.attribute == "file":
            finding = _age_finding(reference, target, secrets, ctx)
        elif reference.attribute in ("sopsFile", "defaultSopsFile"):
            finding = _sops_finding(reference, target, secrets, ctx)
        else:
            finding = None
        if finding is not None:
            yield finding


def _age_finding(reference: FileReference, target: Path, secrets: SecretWorkspace,
                 ctx: FileContext) -> Finding | None:
    registries = secrets.registries_over(target)
    if not registries or not all(r.rules.complete for r in registries):
        return None
    if any(r.covers(target) for r in registries):
        return None
    nearest = max(registries, key=lambda r: len(r.path.parts))
    where = display_path(nearest.path, ctx)
    return NXA212.finding(
        reference.span,
        f"`{display_path(target, ctx)}` is not a key of `{where}`: `agenix -r` does not "
        "re-encrypt it and `agenix -e` cannot edit it",
        option=reference.option, fixes=_add_entry(nearest, target, ctx))


def _add_entry(registry: Registry, target: Path, ctx: FileContext) -> tuple[Fix, ...]:
    rules = registry.rules
    shapes = {e.recipients_text for e in rules.entries}
    if len(shapes) != 1 or rules.insert_at is None or ctx.path is None:
        return ()
    (recipients,) = shapes
    if not recipients or "\n" in recipients:
        return ()
    name = target.relative_to(registry.path.parent).as_posix()
    line = f'{rules.indent}"{name}".publicKeys = {recipients};\n'
    relative = Path(os.path.relpath(registry.path, ctx.path.parent))
    return (Fix(f"Add `{name}` to `{relative.as_posix()}`",
                (Edit(Span(rules.insert_at, rules.insert_at), line, file=relative.as_posix()),),
                Applicability.UNSAFE),)


def _sops_finding(reference: FileReference, target: Path, secrets: SecretWorkspace,
                  ctx: FileContext) -> Finding | None:
    configs = secrets.sops_configs_over(target)
    if not configs or any(c.covers(target) is not False for c in configs):
        return None
    where = ", ".join(f"`{display_path(c.path, ctx)}`" for c in configs)
    return NXA212.finding(
        reference.span,
        f"`{display_path(target, ctx)}` matches no `creation_rules` entry of {where}: "
        "`sops updatekeys` and new recipients pass it by",
        option=reference.option)
