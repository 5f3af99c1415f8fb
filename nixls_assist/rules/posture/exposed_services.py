"""NXA706: a service opened to the network with its authentication left off."""

from __future__ import annotations

from collections.abc import Iterator

from nixls_assist.context import FileContext
from nixls_assist.findings import Finding, Severity
from nixls_assist.rules.base import FixAvailability, Indexes, Rule
from nixls_assist.rules.posture.definitions import Definition, nixos_definitions
from nixls_assist.syntax.document import ParsedDocument

NXA706 = Rule(
    code="NXA706",
    name="unauthenticated-exposed-service",
    severity=Severity.WARNING,
    summary="a service listening on every interface with its authentication setting left off "
            "(Redis opened in the firewall without `requirePass`)",
    fix=FixAvailability.NONE,
    options=("services.redis.servers.*.bind", "services.redis.servers.*.openFirewall"),
)

_ALL_INTERFACES = frozenset({"0.0.0.0", "::", "0.0.0.0 ::", "* -::*"})
_REDIS_AUTH = frozenset({"requirePass", "requirePassFile"})


@NXA706.check
def unauthenticated_exposed_service(
    doc: ParsedDocument, ctx: FileContext, index: Indexes | None
) -> Iterator[Finding]:
    """A service listens on every interface and its authentication is left off.

    ## What it does
    A small, exact table of NixOS services whose module has an authentication setting:
    today `services.redis.servers.<name>` with `bind = "0.0.0.0"` (or `"::"`, or
    `bind = null`, which listens everywhere), `openFirewall = true`, and neither
    `requirePass` nor `requirePassFile` in the same definition. Only literal values count.
    A server bound everywhere but not opened in the firewall (reached by local containers,
    say) is left alone: the firewall is its door.

    ## Why is this bad?
    Redis without a password on a reachable address is the classic remote takeover: anyone
    can `CONFIG SET dir` and write files as the redis user, or read and wipe the data.

    ## Example
    ```nix
    services.redis.servers.cache = { enable = true; bind = "0.0.0.0"; openFirewall = true; };
    ```

    Use instead:
    ```nix
    services.redis.servers.cache = {
      enable = true;
      bind = "0.0.0.0";
      openFirewall = true;
      requirePassFile = config.sops.secrets.redis-password.path;
    };
    ```

    ## Fix safety
    No automatic fix: clients need the password too.

    ## References
    - https://search.nixos.org/options?query=services.redis.servers
    - https://redis.io/docs/latest/operate/oss_and_stack/management/security/
    """
    definitions = nixos_definitions(doc, ctx)
    servers: dict[str, dict[str, Definition]] = {}
    for d in definitions:
        path = d.path
        if len(path) == 5 and path[:3] == ("services", "redis", "servers") and path[3] != "*":
            servers.setdefault(path[3], {})[path[4]] = d
    for name, settings in sorted(servers.items()):
        bind = settings.get("bind")
        if bind is None or _REDIS_AUTH & set(settings):
            continue
        if bind.binding.value is not None and doc.node_text(bind.binding.value) == "null":
            where = "`bind = null` (every interface)"
        elif isinstance(bind.value, str) and bind.value.strip() in _ALL_INTERFACES:
            where = f"`bind = \"{bind.value}\"`"
        else:
            continue
        enable = settings.get("enable")
        if enable is not None and enable.value is False:
            continue
        opened = settings.get("openFirewall")
        if opened is None or opened.value is not True:
            continue  # behind the firewall: not opened to the network
        label = f"`{name}`" if name else "the default server"
        yield NXA706.finding(
            bind.span,
            f"Redis {label} listens on {where}, opened in the firewall, with no `requirePass` / "
            "`requirePassFile`: "
            "anyone who reaches the port can read, wipe or take over it; set "
            "`requirePassFile` or bind to `127.0.0.1`",
            option=bind.binding.dotted,
        )
