"""NXA215: a secret file that should be encrypted is not."""

from __future__ import annotations

from collections.abc import Iterator

from nixls_assist.context import FileContext
from nixls_assist.context.secret_files import Encryption
from nixls_assist.findings import Finding, Severity
from nixls_assist.rules.base import Indexes, Rule
from nixls_assist.rules.secret_registries.references import (
    display_path,
    is_rules_file,
    rules_of,
    secret_references,
    sops_format,
)
from nixls_assist.syntax.document import ParsedDocument

NXA215 = Rule(
    code="NXA215",
    name="secret-file-not-encrypted",
    severity=Severity.ERROR,
    summary="a secret file that should be encrypted is committed in plain text",
)


@NXA215.check
def secret_file_not_encrypted(doc: ParsedDocument, ctx: FileContext,
                              indexes: Indexes | None) -> Iterator[Finding]:
    """An `.age` file without an age header, or a sops file without sops metadata.

    ## What it does
    Reads the first bytes of every `.age` file a configuration (or the agenix rules file)
    names: an encrypted file starts with `age-encryption.org/v1` or, armored, with
    `-----BEGIN AGE ENCRYPTED FILE-----`. A YAML or JSON file named by `sops.defaultSopsFile` /
    `sops.secrets.<name>.sopsFile` must have the `sops` metadata key that sops writes. The
    finding names the file only; its content is never shown. Empty files, git-crypt and Git LFS
    placeholders are not judged.

    ## Why is this bad?
    The file is in the repository, and in its history, in plain text: whoever can read the
    repository can read the secret. agenix and sops-nix also fail to decrypt it on the host.

    ## Example
    ```nix
    age.secrets.wifi.file = ./wifi.age;  # wifi.age holds the password itself
    ```

    Use instead: encrypt it (`agenix -e wifi.age`, `sops -e -i secrets.yaml`), rotate the
    secret, and remove the plain text from the history.

    ## Fix safety
    No fix: encrypting needs the recipients, and the secret must be rotated anyway.

    ## References
    - age format: https://age-encryption.org/v1
    - sops: https://github.com/getsops/sops
    """
    references = secret_references(doc, ctx)
    rules_file = is_rules_file(doc, ctx)
    secrets = ctx.secrets if references.files or rules_file else None
    if secrets is None:
        return
    if rules_file and ctx.path is not None:
        for entry in rules_of(doc).entries:
            target = (ctx.path.parent / entry.name).resolve()
            if secrets.exists(target) and secrets.age_encryption(target) is Encryption.PLAIN:
                yield NXA215.finding(
                    entry.span,
                    f"`{entry.name}` is not encrypted: it has no age header "
                    "(its content is in the repository in plain text)")
    for reference in references.files:
        target = reference.target
        if target is None or not secrets.exists(target):
            continue
        if reference.is_age:
            if secrets.age_encryption(target) is Encryption.PLAIN:
                yield NXA215.finding(
                    reference.span,
                    f"`{display_path(target, ctx)}` is not encrypted: it has no age header "
                    "(its content is in the repository in plain text)",
                    option=reference.option)
            continue
        file_format = sops_format(reference, references)
        if file_format not in ("yaml", "json"):
            continue
        if secrets.sops_file(target, file_format).encryption is Encryption.PLAIN:
            yield NXA215.finding(
                reference.span,
                f"`{display_path(target, ctx)}` is not encrypted: it has no `sops` metadata "
                "(its content is in the repository in plain text)",
                option=reference.option)
