"""NXA201: a password, token or private key written as a literal."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from nixls_assist.context import FileContext
from nixls_assist.findings import Finding, Severity
from nixls_assist.rules.base import FixAvailability, Indexes, Rule
from nixls_assist.rules.secrets.certainty import judge
from nixls_assist.rules.secrets.messages import (
    OFF_NOTE,
    STORE,
    TEST_NOTE,
    advice,
    severity_for,
)
from nixls_assist.rules.secrets.shapes import (
    SECRET_NAME_TRIGGERS,
    TOKEN_TRIGGERS,
    harmless_reason,
    is_secret_name,
    placeholder_reason,
    token_shape,
)
from nixls_assist.rules.secrets.sites import (
    ValueSite,
    assignments,
    fragments,
    is_config_text,
    is_test_file,
    nested_strings,
    secret_named_sites,
    sibling_strings,
    string_nodes,
    text_with_holes,
    user_passwords,
)
from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.enclosing import in_vm_test, under_mkif_false
from nixls_assist.syntax.nodes import (
    STRING_KINDS,
    span,
    static_string,
)

NXA201 = Rule(
    code="NXA201",
    name="secret-literal-in-store",
    severity=Severity.ERROR,
    summary="a password, token or private key written as a literal ends up in the Nix store",
    fix=FixAvailability.NONE,
    secret=True,
)

@NXA201.check
def secret_literal_in_store(
    doc: ParsedDocument, ctx: FileContext, index: Indexes | None
) -> Iterator[Finding]:
    """A password, passphrase, token or private key is written as a literal.

    ## What it does
    Reports string literals that hold a secret: the value of a secret option
    (`users.users.<name>.password`, `initialPassword`, Wi-Fi `psk` / `pskRaw`, WireGuard
    `privateKey`, `services.*.settings.*password*` / `*token*` / `*secret*`), tokens with a
    known format anywhere (`ghp_…`, `github_pat_…`, `glpat-…`, `xoxb-…`, `AKIA…`, `sk-…`,
    `tskey-…`, `AGE-SECRET-KEY-…`), private key blocks, passwords in URLs
    (`https://user:pass@host`), and `password = …` lines in config text written with
    `environment.etc.<name>.text` or `writeText`.

    An error only when it is certain: a known token format or private key block, or a
    literal set on an option whose value is a secret by definition (a login password in
    `users.users`, even a weak one like `"nixos"`; a Wi-Fi passphrase; a WireGuard key;
    an nginx `basicAuth` password). A literal under any other secret-looking name is a
    warning, and so are URL credentials and `password = …` lines in config text.

    Not reported: password hashes (`$6$…`, `$y$…`, `$2b$…`), empty strings, paths to
    runtime files (`"/run/secrets/x"`), `@PLACEHOLDER@` / `$ENV` / `%env%` templates,
    code reading an environment variable (`process.env.X`, `env:X`), commands that fetch
    the secret (`pass`, `rbw`, `!rbw get …`, `op read`, `secret-tool`), names of sops
    secrets (`tokenSecret = "pushover/token"`), durations (`access_token = "1h"`), IPv6
    tokens (`Token = "::1"`), D-Bus names (`"org.freedesktop.impl.portal.Secret"`), stand-in
    values outside login passwords (`"unused"`, `"dummy"`, `"changeme"`), database column
    names, passwords equal to the user name or sent over a unix socket (peer authentication
    ignores them), public keys and certificates, sops/age ciphertext, option declarations
    (`mkOption`), comments. Secrets in NixOS VM tests (`nixosTest`,
    `virtualisation.vmVariant`, files under `tests/`) are reported at info.

    ## Why is this bad?
    Every string of a configuration is copied into `/nix/store`, which every user and
    process on the machine can read, and into every binary cache the system is pushed
    to. The secret is also in the repository's history.

    ## Example
    ```nix
    services.gitea.database.password = "correct horse battery staple";
    ```

    Use instead:
    ```nix
    services.gitea.database.passwordFile = config.sops.secrets.gitea-db.path;
    ```

    ## Fix safety
    No automatic fix: the secret must be moved into a secret manager (sops-nix, agenix)
    by hand, and rotated, since it has been in the store.

    ## References
    - https://wiki.nixos.org/wiki/Comparison_of_secret_managing_schemes
    - https://github.com/Mic92/sops-nix
    - https://github.com/ryantm/agenix
    """
    if doc.skipped:
        return
    reported: set[int] = set()
    for site in secret_named_sites(doc, ctx):
        if site.value.type not in STRING_KINDS or not _holds_secret(site):
            continue
        text = static_string(site.value)
        if text is None or harmless_reason(text) is not None:
            continue
        verdict = judge(site.path, text, sibling_strings(doc, ctx, site))
        if verdict is None:
            continue
        reported.add(site.value.start_byte)
        if verdict.severity is Severity.ERROR:
            what = f"is a literal {verdict.kind} {verdict.shape.redacted}"
        else:
            what = f"is named like a secret and set to a literal {verdict.shape.redacted}"
        off = under_mkif_false(doc, site.value)
        yield NXA201.finding(
            span(site.value),
            f"`{site.dotted}` {what} that {STORE}; {advice(site, ctx, index)}"
            + (TEST_NOTE if site.in_test else OFF_NOTE if off else ""),
            option=site.dotted,
            severity=Severity.INFO if site.in_test or off else verdict.severity,
        )
    test_file = is_test_file(doc, ctx)
    for name, value in user_passwords(doc):
        text = static_string(value)
        if value.start_byte in reported or text is None or harmless_reason(text) is not None:
            continue
        reported.add(value.start_byte)
        in_test = test_file or in_vm_test(doc, value)
        yield NXA201.finding(
            span(value),
            f"`{name}` of a user is a literal login password `…(redacted)` that {STORE}; "
            "use `hashedPasswordFile` with a runtime secret path, or a `hashedPassword`"
            + (TEST_NOTE if in_test else ""),
            severity=severity_for(NXA201, in_test),
        )
    if not (TOKEN_TRIGGERS.search(doc.source) or SECRET_NAME_TRIGGERS.search(doc.source)):
        return  # no string can hold a token or assign a secret-named key
    for node in string_nodes(doc):
        raw = doc.source[node.start_byte : node.end_byte]  # with the strings nested in it
        if not (TOKEN_TRIGGERS.search(raw) or SECRET_NAME_TRIGGERS.search(raw)):
            continue
        for string in (node, *nested_strings(node)):
            if string.start_byte in reported:
                continue
            found = _string_secret(doc, string)
            if found is None:
                continue
            problem, severity = found
            reported.add(string.start_byte)
            in_test = test_file or in_vm_test(doc, string)
            yield NXA201.finding(
                span(string),
                f"{problem} in a string literal that {STORE}; read it at runtime from a "
                f"secret file (sops-nix, agenix)"
                + (TEST_NOTE if in_test else ""),
                severity=Severity.INFO if in_test else severity,
            )


def _holds_secret(site: ValueSite) -> bool:
    """A secret-named option, or a user's password in a `basicAuth` attrset."""
    return is_secret_name(site.name) or (len(site.path) >= 2 and site.path[-2] == "basicAuth")


def _string_secret(doc: ParsedDocument, string: Node) -> tuple[str, Severity] | None:
    """What secret a string literal holds (described without its value) and how sure that is:
    an error for a known token format, a warning for URL credentials or a `password = …` line."""
    raw = doc.source[string.start_byte : string.end_byte]
    if TOKEN_TRIGGERS.search(raw):
        for fragment in fragments(string):
            shape = token_shape(doc.node_text(fragment))
            if shape is not None:
                severity = Severity.ERROR if shape.certain else Severity.WARNING
                return f"{shape.kind} {shape.redacted}", severity
    if SECRET_NAME_TRIGGERS.search(raw) and is_config_text(doc, string):
        for key, value in assignments(text_with_holes(doc, string)):
            if value and is_secret_name(key) and harmless_reason(value) is None \
                    and placeholder_reason(value) is None:
                return (f"`{key}` set to a literal `…(redacted)` (a secret by its name)",
                        Severity.WARNING)
    return None
