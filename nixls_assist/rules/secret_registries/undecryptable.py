"""NXA216: a host uses a secret that is not encrypted to its key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from nixls_assist.context import FileContext, FileKind
from nixls_assist.findings import Finding, Severity
from nixls_assist.rules.base import Indexes, Rule
from nixls_assist.rules.secret_registries.references import display_path, secret_references
from nixls_assist.syntax.document import ParsedDocument

NXA216 = Rule(
    code="NXA216",
    name="secret-not-encrypted-for-host",
    severity=Severity.WARNING,
    summary="a host uses an agenix secret whose recipients do not include the host's key",
)

_HOST_DIRECTORIES = frozenset({"hosts", "machines", "systems", "nodes"})
_KEY_SUFFIXES = ("System", "Host", "HostKey", "_host", "-host")


@NXA216.check
def secret_not_encrypted_for_host(doc: ParsedDocument, ctx: FileContext,
                                  indexes: Indexes | None) -> Iterator[Finding]:
    """A host's configuration uses an `.age` file whose `publicKeys` leave out the host.

    ## What it does
    Only where it can be decided: the file belongs to one host (it lies under
    `hosts/<host>/`, `machines/<host>/`, `systems/<host>/` or `nodes/<host>/`), the agenix rules
    file binds that host's key to a name in its `let` (`<host> = "ssh-ed25519 …";`, also
    `<host>System` / `<host>Host`), and the secret's `publicKeys` are all literal. Then a
    secret the host uses through `age.secrets.<name>.file` must list the host's key.

    ## Why is this bad?
    agenix decrypts with the host's SSH key at activation. Without it among the recipients,
    the secret is missing on the host and the service that reads it fails.

    ## Example
    ```nix
    # secrets.nix
    let web = "ssh-ed25519 AAAA…"; db = "ssh-ed25519 AAAA…"; in
    { "db-password.age".publicKeys = [ db ]; }
    # hosts/web/default.nix
    age.secrets.db-password.file = ../../secrets/db-password.age;
    ```

    Use instead: add `web` to the entry's `publicKeys` and re-encrypt (`agenix -r`).

    ## Fix safety
    No fix: the file must be re-encrypted after the rules change.

    ## References
    - agenix: https://github.com/ryantm/agenix#tutorial
    """
    if ctx.kind is FileKind.HOME_MANAGER or ctx.path is None:
        return
    references = [r for r in secret_references(doc, ctx).files
                  if r.attribute == "file" and r.target is not None]
    host = _host_of(ctx.path) if references else None
    secrets = ctx.secrets if host is not None else None
    if secrets is None or host is None:
        return
    for reference in references:
        target = reference.target
        assert target is not None
        for registry in secrets.registries_over(target):
            entry = registry.entry_for(target)
            if entry is None or entry.recipients is None:
                continue
            names = [n for n in registry.rules.keys if _names_host(n, host)]
            if len(names) != 1:
                continue
            key = registry.rules.keys[names[0]]
            if key in entry.recipients:
                continue
            yield NXA216.finding(
                reference.span,
                f"host `{host}` cannot decrypt `{display_path(target, ctx)}`: its key "
                f"`{names[0]}` is not among the entry's `publicKeys` in "
                f"`{display_path(registry.path, ctx)}`",
                option=reference.option)


def _host_of(path: Path) -> str | None:
    parts = path.parts
    hosts = [parts[i + 1] for i in range(len(parts) - 2) if parts[i] in _HOST_DIRECTORIES]
    return hosts[-1] if len(hosts) == 1 else None


def _names_host(name: str, host: str) -> bool:
    if name == host:
        return True
    return any(name.endswith(s) and name.removesuffix(s) == host for s in _KEY_SUFFIXES)
