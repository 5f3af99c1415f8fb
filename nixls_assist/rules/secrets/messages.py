"""What the NXA2xx messages share: the store warning, the runtime alternative, the advice
for an option, and the severity of a finding in a test VM."""

from __future__ import annotations

from nixls_assist.context import FileContext
from nixls_assist.findings import Severity
from nixls_assist.rules.base import Indexes, Rule
from nixls_assist.rules.secrets.file_options import file_alternative
from nixls_assist.rules.secrets.sites import ValueSite

STORE = "ends up in the world-readable Nix store"
RUNTIME = "a runtime secret path (e.g. `config.sops.secrets.<name>.path`)"
# Options with a dedicated way to keep the secret out of the store, but no `*File` sibling.
ADVICE = {
    ("networking", "wireless", "networks"): "use `networking.wireless.secretsFile` with "
    "`pskRaw = \"ext:<name>\"` (24.11+) or `environmentFile` with `psk = \"@PSK_NAME@\"`",
    ("services", "grafana", "settings"): "use Grafana's `$__file{/run/secrets/…}` reference",
}
TEST_NOTE = " (test VM: reported at info)"
OFF_NOTE = " (under `mkIf false`: reported at info until it is switched on)"


def severity_for(rule: Rule, in_test: bool) -> Severity:
    return Severity.INFO if in_test else rule.severity


def advice(site: ValueSite, ctx: FileContext, index: Indexes | None) -> str:
    sibling = file_alternative(site.path, site.binding, ctx, index)
    if sibling is not None:
        return f"set `{sibling}` to {RUNTIME} instead"
    for prefix, advice in ADVICE.items():
        if site.path[: len(prefix)] == prefix:
            return advice
    return "read it at runtime from a secret file (sops-nix, agenix)"
