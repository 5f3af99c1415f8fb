"""NXA213: a sops secret names a key its sops file does not have."""

from __future__ import annotations

from collections.abc import Iterator

from nixls_assist.context import FileContext
from nixls_assist.context.secret_files import Encryption
from nixls_assist.findings import Finding, Severity
from nixls_assist.rules.base import Indexes, Rule
from nixls_assist.rules.secret_registries.references import (
    display_path,
    format_of,
    secret_references,
)
from nixls_assist.syntax.document import ParsedDocument

NXA213 = Rule(
    code="NXA213",
    name="sops-key-missing",
    severity=Severity.WARNING,
    summary="a sops secret names a key its sops file does not contain",
)


@NXA213.check
def sops_key_missing(doc: ParsedDocument, ctx: FileContext,
                     indexes: Indexes | None) -> Iterator[Finding]:
    """`sops.secrets."<name>"` reads a key the encrypted file does not have.

    ## What it does
    sops keeps key names in clear text. For each `sops.secrets.<name>` whose file is known in
    this module (its `sopsFile`, or the `sops.defaultSopsFile` set in the same file), looks the
    key up: `key` if set, else the secret's name; `a/b` is the nested key `b` under `a` in
    YAML and JSON, a variable name in dotenv. `format = "binary"` (the whole file) and
    `key = ""` are not checked, nor are files that are not sops-encrypted or cannot be read,
    nor a secret declared under its own condition (`// optionalAttrs cfg.x.enable { … }`),
    which may never be declared.

    ## Why is this bad?
    sops-nix fails at activation (`the key 'db/password' cannot be found`), on the host,
    after the build succeeded: the service that needs the secret does not start.

    ## Example
    ```nix
    sops.defaultSopsFile = ./secrets.yaml;   # has db: { pass: … }
    sops.secrets."db/password" = { };
    ```

    Use instead:
    ```nix
    sops.secrets."db/password".key = "db/pass";
    ```

    ## Fix safety
    No fix: adding the key to the file needs its value (`sops secrets.yaml`).

    ## References
    - sops-nix: https://github.com/Mic92/sops-nix#usage-example
    """
    references = secret_references(doc, ctx)
    if not references.sops_secrets:
        return
    secrets = ctx.secrets
    if secrets is None:
        return
    default = references.default_sops_files[0] if len(references.default_sops_files) == 1 \
        else None
    for secret in references.sops_secrets:
        source = secret.sops_file or default
        if source is None or source.target is None or not secret.key_known \
                or secret.conditional:
            continue
        target = source.target
        file_format = format_of(target, secret)
        key = secret.key if secret.key is not None else secret.name
        if file_format not in ("yaml", "json", "dotenv") or not key \
                or not secrets.exists(target):
            continue
        facts = secrets.sops_file(target, file_format)
        if facts.encryption is not Encryption.ENCRYPTED or facts.keys is None:
            continue
        wanted = (key,) if file_format == "dotenv" else tuple(key.split("/"))
        if wanted in facts.keys or (key,) in facts.keys:
            continue
        shown = f"key `{key}`" if secret.key is not None else f"`{key}`"
        yield NXA213.finding(
            secret.span,
            f"{shown} is not in `{display_path(target, ctx)}`: sops-nix fails to "
            "install the secret at activation",
            option=f"sops.secrets.{secret.name}")
