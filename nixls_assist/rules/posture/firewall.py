"""NXA703: the firewall turned off on a machine that runs network services."""

from __future__ import annotations

from collections.abc import Iterator

from nixls_assist.context import FileContext
from nixls_assist.findings import Finding, Severity
from nixls_assist.rules.base import FixAvailability, Indexes, Rule
from nixls_assist.rules.posture.definitions import find, nixos_definitions
from nixls_assist.syntax.document import ParsedDocument

NXA703 = Rule(
    code="NXA703",
    name="firewall-off-with-services",
    severity=Severity.WARNING,
    summary="`networking.firewall.enable = false` on a host that runs network services",
    fix=FixAvailability.NONE,
    options=("networking.firewall.enable",),
)

# Services whose NixOS module listens on all interfaces by default once enabled (a small,
# exact list: services that bind to localhost by default are not in it).
LISTENING_SERVICES = frozenset({
    "openssh", "nginx", "caddy", "httpd", "traefik", "haproxy", "samba", "jellyfin", "plex",
    "home-assistant", "mosquitto", "prometheus", "gitea", "forgejo", "k3s", "minecraft-server",
    "rpcbind", "cockpit", "adguardhome", "blocky", "unbound", "bind", "dnsmasq", "nfs.server",
})


@NXA703.check
def firewall_off_with_services(
    doc: ParsedDocument, ctx: FileContext, index: Indexes | None
) -> Iterator[Finding]:
    """The firewall is turned off on a machine that runs network services.

    ## What it does
    Reports `networking.firewall.enable = false` (a literal, plain or `mkForce`) in a NixOS
    module that, in the same file, enables a service which listens on every interface by
    default (`services.openssh`, `nginx`, `caddy`, `samba`, `jellyfin`, `home-assistant`,
    `prometheus`, …). Silent when the module writes its own nftables rules
    (`networking.nftables.ruleset`), and in NixOS tests, VM variants and installer images.

    ## Why is this bad?
    With the firewall off, every port a service opens — including the ones you never meant
    to publish (an admin UI, a metrics endpoint, a database a service pulled in) — is
    reachable by everyone who can reach the machine.

    ## Example
    ```nix
    networking.firewall.enable = false;
    services.jellyfin.enable = true;
    ```

    Use instead:
    ```nix
    services.jellyfin = { enable = true; openFirewall = true; };
    ```

    ## Fix safety
    No automatic fix: turning the firewall on closes every port nothing opens explicitly;
    list them (`networking.firewall.allowedTCPPorts`, the services' `openFirewall`) first.

    ## References
    - https://search.nixos.org/options?query=networking.firewall.enable
    - https://nixos.org/manual/nixos/stable/#sec-firewall
    """
    definitions = nixos_definitions(doc, ctx)
    off = [d for d in find(definitions, ("networking", "firewall", "enable")) if d.value is False]
    if not off:
        return
    if find(definitions, ("networking", "nftables", "ruleset")):
        return
    services = []
    for d in definitions:
        if d.value is not True or len(d.path) < 3 or d.path[0] != "services" \
                or d.path[-1] != "enable":
            continue
        name = ".".join(d.path[1:-1])
        if name in LISTENING_SERVICES:
            services.append(name)
    if not services:
        return
    shown = ", ".join(f"`services.{s}`" for s in sorted(set(services))[:3])
    for definition in off:
        yield NXA703.finding(
            definition.span,
            f"firewall turned off on a host that runs {shown}: every port they open is "
            "reachable by anyone who reaches the machine; keep it on and open the ports "
            "you mean (`openFirewall`, `allowedTCPPorts`)",
            option=definition.binding.dotted,
        )
