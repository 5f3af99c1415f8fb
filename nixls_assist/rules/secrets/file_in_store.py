"""NXA202: a secret file read or copied into the Nix store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from nixls_assist.context import FileContext
from nixls_assist.findings import Finding, Severity
from nixls_assist.rules.base import FixAvailability, Indexes, Rule
from nixls_assist.rules.secrets.file_options import file_alternative
from nixls_assist.rules.secrets.messages import (
    RUNTIME,
    STORE,
    severity_for,
)
from nixls_assist.rules.secrets.repo_secrets import repo_secret_uses
from nixls_assist.rules.secrets.shapes import (
    is_secret_file_name,
    is_secret_file_option,
    is_store_file_name,
)
from nixls_assist.rules.secrets.sites import (
    interpolated_paths,
    is_test_file,
    path_valued_sites,
    read_calls,
    secret_named_sites,
)
from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.enclosing import TEST_CALLS, enclosing_call
from nixls_assist.syntax.nodes import (
    literal_path,
    span,
)

NXA202 = Rule(
    code="NXA202",
    name="secret-file-in-store",
    severity=Severity.WARNING,
    summary="a secret file is read or copied into the Nix store",
    fix=FixAvailability.NONE,
    secret=True,
)


@NXA202.check
def secret_file_in_store(
    doc: ParsedDocument, ctx: FileContext, index: Indexes | None
) -> Iterator[Finding]:
    """A secret file is read or copied into the Nix store.

    ## What it does
    Reports `builtins.readFile` / `lib.fileContents` of a key or credential file
    (`./secrets/wg.key`, `./id_ed25519`, `./db-password`), a path literal to such a
    file used as an option value or interpolated into a string, and a path literal given
    to a secret `*File` option (`passwordFile = ./pass;`, `sslCertificateKey = ./key.pem;`).
    Also reports a secret-named value of a secrets attrset kept in the repository
    (`secrets = import ./secrets.nix;`, `lib.importJSON ./secrets.json`, `config.secrets.*`)
    interpolated into a string (`"${secrets.smtp.password}"`) or set as a secret option's
    value: encrypting the file in git (git-crypt) keeps it out of the repository, not out
    of the store.

    A file is secret by its name only when a secret word ends the name (`db-password`,
    `wg.key`, `key.pem`), so `./key-handler` or `./keybindings.nix` is not reported.
    Encrypted files meant for the store (sops `*.yaml`, agenix `*.age`), public keys
    (`*.pub`) and certificates are not reported.

    ## Why is this bad?
    A path literal is copied into `/nix/store` when the configuration is evaluated, and
    `readFile` puts the contents into whatever string it is used in: either way the
    secret becomes world-readable. A `*File` option exists to read the file at runtime,
    but only when it is given the runtime location as a string.

    ## Example
    ```nix
    networking.wireguard.interfaces.wg0.privateKeyFile = ./secrets/wg0.key;
    ```

    Use instead:
    ```nix
    networking.wireguard.interfaces.wg0.privateKeyFile = config.age.secrets.wg0.path;
    ```

    ## Fix safety
    No automatic fix: the file has to be deployed outside the store (sops-nix, agenix,
    or copied by hand) before the option can point at it.

    ## References
    - https://wiki.nixos.org/wiki/Comparison_of_secret_managing_schemes
    - https://nix.dev/manual/nix/stable/language/types#type-path
    """
    if doc.skipped:
        return
    in_test = is_test_file(doc, ctx)
    for call, path in read_calls(doc):
        if is_secret_file_name(PurePosixPath(path).name):
            yield NXA202.finding(
                span(call),
                f"`{path}` is read at evaluation time, so the secret in it {STORE}; "
                f"point the service at {RUNTIME} instead",
                severity=severity_for(NXA202, in_test),
            )
    for node, path in interpolated_paths(doc):
        if is_secret_file_name(PurePosixPath(path).name):
            yield NXA202.finding(
                span(node),
                f"interpolating `{path}` copies the file into the world-readable Nix store; "
                f"use {RUNTIME} instead",
                severity=severity_for(NXA202, in_test),
            )
    for site in path_valued_sites(doc, ctx):
        path = literal_path(site.value)
        if path is None:
            continue
        name = PurePosixPath(path).name
        if is_store_file_name(name):
            continue  # encrypted (`.age`, sops) or public: meant for the store
        if is_secret_file_name(name) or is_secret_file_option(site.name):
            yield NXA202.finding(
                span(site.value),
                f"the path literal `{path}` copies the file into the world-readable Nix store; "
                f"give `{site.dotted}` {RUNTIME} as a string instead",
                option=site.dotted,
                severity=severity_for(NXA202, site.in_test or in_test),
            )

    yield from _repo_secrets(doc, ctx, index, in_test)


def _repo_secrets(
    doc: ParsedDocument, ctx: FileContext, index: Indexes | None, in_test: bool
) -> Iterator[Finding]:
    """Values of a secrets attrset kept in the repository, written into the store."""
    covered: set[int] | None = None  # values NXA203 reports (a `*File` sibling exists)
    for use in repo_secret_uses(doc):
        if not use.in_string:
            if covered is None:
                covered = {site.value.start_byte for site in secret_named_sites(doc, ctx)
                           if file_alternative(site.path, site.binding, ctx, index)}
            if use.node.start_byte in covered:
                continue
        origin = f"`{use.source}`" if use.source else "a secrets attrset"
        where = "interpolated into a string" if use.in_string else "set as an option value"
        yield NXA202.finding(
            span(use.node),
            f"`{use.shown}` comes from {origin} in the repository and is {where} that "
            f"{STORE} (even if git-crypt encrypts the file in git); use {RUNTIME} instead",
            severity=severity_for(
                NXA202, in_test or enclosing_call(use.node, TEST_CALLS) is not None),
        )
