"""NXA2xx: secrets that end up in the world-readable Nix store.

Everything a Nix expression turns into a string or a path is copied to `/nix/store`, which
every user and process on the machine can read. These rules never show a secret's value: a
message names the option and at most the public prefix of a known token format.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from tree_sitter import Node

from nixls_assist.context import FileContext
from nixls_assist.findings import Finding, Severity
from nixls_assist.rules.base import FixAvailability, Indexes, Rule
from nixls_assist.rules.repo_secrets import repo_secret_uses
from nixls_assist.rules.secret_certainty import judge
from nixls_assist.rules.secret_file_options import file_alternative
from nixls_assist.rules.secret_shapes import (
    SECRET_NAME_TRIGGERS,
    TOKEN_TRIGGERS,
    harmless_reason,
    is_secret_file_name,
    is_secret_file_option,
    is_secret_name,
    is_store_file_name,
    placeholder_reason,
    token_shape,
)
from nixls_assist.rules.secret_sites import (
    READ_CALLS,
    TEST_CALLS,
    ValueSite,
    assignments,
    enclosing_call,
    fragments,
    in_vm_variant,
    interpolated_paths,
    is_config_text,
    is_test_file,
    literal_path,
    nested_strings,
    path_valued_sites,
    read_calls,
    secret_named_sites,
    sibling_strings,
    string_nodes,
    text_with_holes,
    under_mkif_false,
    user_passwords,
)
from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.nodes import STRING_KINDS, callee_name, flatten_apply, span, static_string

NXA201 = Rule(
    code="NXA201",
    name="secret-literal-in-store",
    severity=Severity.ERROR,
    summary="a password, token or private key written as a literal ends up in the Nix store",
    fix=FixAvailability.NONE,
    secret=True,
)
NXA202 = Rule(
    code="NXA202",
    name="secret-file-in-store",
    severity=Severity.WARNING,
    summary="a secret file is read or copied into the Nix store",
    fix=FixAvailability.NONE,
    secret=True,
)
NXA203 = Rule(
    code="NXA203",
    name="secret-option-without-file",
    severity=Severity.WARNING,
    summary="a plain secret option is set where a `*File` option keeps the secret out of the store",
    fix=FixAvailability.NONE,
    secret=True,
)

_STORE = "ends up in the world-readable Nix store"
_RUNTIME = "a runtime secret path (e.g. `config.sops.secrets.<name>.path`)"
# Options with a dedicated way to keep the secret out of the store, but no `*File` sibling.
_ADVICE = {
    ("networking", "wireless", "networks"): "use `networking.wireless.secretsFile` with "
    "`pskRaw = \"ext:<name>\"` (24.11+) or `environmentFile` with `psk = \"@PSK_NAME@\"`",
    ("services", "grafana", "settings"): "use Grafana's `$__file{/run/secrets/…}` reference",
}
_TEST_NOTE = " (test VM: reported at info)"
_OFF_NOTE = " (under `mkIf false`: reported at info until it is switched on)"


def _severity(rule: Rule, in_test: bool) -> Severity:
    return Severity.INFO if in_test else rule.severity


def _advice(site: ValueSite, ctx: FileContext, index: Indexes | None) -> str:
    sibling = file_alternative(site.path, site.binding, ctx, index)
    if sibling is not None:
        return f"set `{sibling}` to {_RUNTIME} instead"
    for prefix, advice in _ADVICE.items():
        if site.path[: len(prefix)] == prefix:
            return advice
    return "read it at runtime from a secret file (sops-nix, agenix)"


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
            f"`{site.dotted}` {what} that {_STORE}; {_advice(site, ctx, index)}"
            + (_TEST_NOTE if site.in_test else _OFF_NOTE if off else ""),
            option=site.dotted,
            severity=Severity.INFO if site.in_test or off else verdict.severity,
        )
    test_file = is_test_file(doc, ctx)
    for name, value in user_passwords(doc):
        text = static_string(value)
        if value.start_byte in reported or text is None or harmless_reason(text) is not None:
            continue
        reported.add(value.start_byte)
        in_test = test_file or enclosing_call(value, TEST_CALLS) is not None \
            or in_vm_variant(doc, value)
        yield NXA201.finding(
            span(value),
            f"`{name}` of a user is a literal login password `…(redacted)` that {_STORE}; "
            "use `hashedPasswordFile` with a runtime secret path, or a `hashedPassword`"
            + (_TEST_NOTE if in_test else ""),
            severity=_severity(NXA201, in_test),
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
            in_test = test_file or enclosing_call(string, TEST_CALLS) is not None \
                or in_vm_variant(doc, string)
            yield NXA201.finding(
                span(string),
                f"{problem} in a string literal that {_STORE}; read it at runtime from a "
                f"secret file (sops-nix, agenix)"
                + (_TEST_NOTE if in_test else ""),
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
                f"`{path}` is read at evaluation time, so the secret in it {_STORE}; "
                f"point the service at {_RUNTIME} instead",
                severity=_severity(NXA202, in_test),
            )
    for node, path in interpolated_paths(doc):
        if is_secret_file_name(PurePosixPath(path).name):
            yield NXA202.finding(
                span(node),
                f"interpolating `{path}` copies the file into the world-readable Nix store; "
                f"use {_RUNTIME} instead",
                severity=_severity(NXA202, in_test),
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
                f"give `{site.dotted}` {_RUNTIME} as a string instead",
                option=site.dotted,
                severity=_severity(NXA202, site.in_test or in_test),
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
            f"{_STORE} (even if git-crypt encrypts the file in git); use {_RUNTIME} instead",
            severity=_severity(NXA202, in_test or enclosing_call(use.node, TEST_CALLS) is not None),
        )


@NXA203.check
def secret_option_without_file(
    doc: ParsedDocument, ctx: FileContext, index: Indexes | None
) -> Iterator[Finding]:
    """A plain secret option is set where a `*File` alternative keeps it out of the store.

    ## What it does
    Reports a secret option (`services.k3s.token`, `services.gitea.database.password`,
    `networking.wireguard.interfaces.<name>.privateKey`, …) set to an expression (a
    variable, `builtins.readFile …`, an interpolated string) when the module offers a
    sibling option that reads the secret from a file at runtime (`tokenFile`,
    `passwordFile`, `privateKeyFile`). The pinned release's option index decides which
    siblings exist; without an index a built-in table of NixOS options is used. A literal
    secret is reported by NXA201 instead.

    ## Why is this bad?
    Whatever the value is computed from, the option's value is written into a file in the
    world-readable Nix store. The `*File` option only stores the path.

    ## Example
    ```nix
    services.k3s.token = builtins.readFile "/run/secrets/k3s-token";
    ```

    Use instead:
    ```nix
    services.k3s.tokenFile = config.sops.secrets.k3s-token.path;
    ```

    ## Fix safety
    No automatic fix: the secret has to be provided as a file on the machine first.

    ## References
    - https://search.nixos.org/options (search for the option and its `*File` sibling)
    - https://github.com/Mic92/sops-nix
    """
    if doc.skipped:
        return
    for site in secret_named_sites(doc, ctx):
        if site.binding is None or not is_secret_name(site.name) or not _computed(doc, site):
            continue
        sibling = file_alternative(site.path, site.binding, ctx, index)
        if sibling is None:
            continue
        yield NXA203.finding(
            site.binding.own_span,
            f"`{site.dotted}` puts its value into the world-readable Nix store; set "
            f"`{sibling}` to {_RUNTIME} instead" + (_TEST_NOTE if site.in_test else ""),
            option=site.dotted,
            severity=_severity(NXA203, site.in_test),
        )


def _computed(doc: ParsedDocument, site: ValueSite) -> bool:
    """A value computed from something (not a literal, null, or sops template placeholder)."""
    value = site.value
    if value.type in STRING_KINDS and static_string(value) is not None:
        return False  # a literal: NXA201's business (or harmless)
    if value.type in ("integer_expression", "float_expression", "path_expression",
                      "hpath_expression", "spath_expression"):
        return False
    if value.type == "apply_expression":
        function, args = flatten_apply(value)
        if callee_name(function) in READ_CALLS and args and literal_path(args[-1]) is not None:
            return False  # `readFile ./x.key`: NXA202's business
    text = doc.node_text(value)
    if value.type == "variable_expression" and text in ("null", "true", "false"):
        return False
    return "sops.placeholder" not in text and "age.secrets" not in text \
        and "sops.secrets" not in text
