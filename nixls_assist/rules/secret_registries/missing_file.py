"""NXA211: a secret file a configuration references does not exist."""

from __future__ import annotations

from collections.abc import Iterator

from nixls_assist.context import FileContext
from nixls_assist.findings import Finding, Severity
from nixls_assist.rules.base import Indexes, Rule
from nixls_assist.rules.secret_registries.references import display_path, secret_references
from nixls_assist.syntax.document import ParsedDocument

NXA211 = Rule(
    code="NXA211",
    name="secret-file-missing",
    severity=Severity.WARNING,
    summary="a secret file the configuration references does not exist",
)


@NXA211.check
def secret_file_missing(doc: ParsedDocument, ctx: FileContext,
                        indexes: Indexes | None) -> Iterator[Finding]:
    """A secret file named by agenix or sops-nix is not in the repository.

    ## What it does
    Resolves `age.secrets.<name>.file`, agenix-rekey's `age.secrets.<name>.rekeyFile`,
    `sops.defaultSopsFile` and `sops.secrets.<name>.sopsFile` when they are written as
    paths into the repository (`./wifi.age`, `../secrets/db.yaml`, `self + "/secrets/x.age"`)
    and reports the ones that point at no file. Files taken from another flake input
    (`inputs.secrets + "/x.age"`, `"${inputs.secrets}/x.age"`: a private secrets flake)
    cannot be looked at: one info per file says they were not checked. A path computed in
    a way that cannot be resolved (`./secrets/${name}.age` in a helper) is not reported;
    hovering the secret says it was not checked.

    ## Why is this bad?
    Evaluation fails on a path literal to a missing file, or the secret is missing on the
    machine and the service that reads it fails at activation. Usually the file was never
    created (`agenix -e`, `sops`), was renamed, or the path has one `../` too many.

    ## Example
    ```nix
    age.secrets.wifi.file = ../secrets/wifi.age;  # secrets/ has wlan.age
    ```

    Use instead:
    ```nix
    age.secrets.wifi.file = ../secrets/wlan.age;
    ```

    ## Fix safety
    No fix: creating a secret needs its value and its recipients.

    ## References
    - agenix: https://github.com/ryantm/agenix
    - sops-nix: https://github.com/Mic92/sops-nix
    """
    references = secret_references(doc, ctx).files
    secrets = ctx.secrets if references else None
    if secrets is None:
        return
    for reference in references:
        if reference.target is None or secrets.exists(reference.target) is not False:
            continue
        yield NXA211.finding(
            reference.span,
            f"`{reference.written}` does not exist (resolves to "
            f"`{display_path(reference.target, ctx)}`): `{reference.option}` names no file",
            option=reference.option)
    from_inputs = [r for r in references if r.from_input is not None]
    if from_inputs:  # one note per file, at the first: not a finding per secret
        first = from_inputs[0]
        names = sorted({f"`{r.from_input}`" for r in from_inputs})
        count = len(from_inputs)
        yield NXA211.finding(
            first.span,
            f"{count} secret file(s) come from flake input {', '.join(names)}: "
            "not checked (another repository)",
            option=first.option, severity=Severity.INFO)
