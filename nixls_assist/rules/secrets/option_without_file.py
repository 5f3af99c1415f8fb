"""NXA203: a plain secret option set where a `*File` option keeps the secret out of the store."""

from __future__ import annotations

from collections.abc import Iterator

from nixls_assist.context import FileContext
from nixls_assist.findings import Finding, Severity
from nixls_assist.rules.base import FixAvailability, Indexes, Rule
from nixls_assist.rules.secrets.file_options import file_alternative
from nixls_assist.rules.secrets.messages import (
    RUNTIME,
    TEST_NOTE,
    severity_for,
)
from nixls_assist.rules.secrets.shapes import (
    is_secret_name,
)
from nixls_assist.rules.secrets.sites import (
    ValueSite,
    read_call_path,
    secret_named_sites,
)
from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.nodes import STRING_KINDS, static_string

NXA203 = Rule(
    code="NXA203",
    name="secret-option-without-file",
    severity=Severity.WARNING,
    summary="a plain secret option is set where a `*File` option keeps the secret out of the store",
    fix=FixAvailability.NONE,
    secret=True,
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
            f"`{sibling}` to {RUNTIME} instead" + (TEST_NOTE if site.in_test else ""),
            option=site.dotted,
            severity=severity_for(NXA203, site.in_test),
        )


def _computed(doc: ParsedDocument, site: ValueSite) -> bool:
    """A value computed from something (not a literal, null, or sops template placeholder)."""
    value = site.value
    if value.type in STRING_KINDS and static_string(value) is not None:
        return False  # a literal: NXA201's business (or harmless)
    if value.type in ("integer_expression", "float_expression", "path_expression",
                      "hpath_expression", "spath_expression"):
        return False
    if value.type == "apply_expression" and read_call_path(value) is not None:
        return False  # `readFile ./x.key`: NXA202's business
    text = doc.node_text(value)
    if value.type == "variable_expression" and text in ("null", "true", "false"):
        return False
    return "sops.placeholder" not in text and "age.secrets" not in text \
        and "sops.secrets" not in text
