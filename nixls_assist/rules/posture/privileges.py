"""NXA704 / NXA705: root-equivalent privileges — Nix trust, passwordless sudo, docker."""

from __future__ import annotations

from collections.abc import Iterator

from nixls_assist.context import FileContext
from nixls_assist.findings import Finding, Severity
from nixls_assist.rules.base import FixAvailability, Indexes, Rule
from nixls_assist.rules.posture.definitions import find, nixos_definitions
from nixls_assist.syntax.document import ParsedDocument

NXA704 = Rule(
    code="NXA704",
    name="root-equivalent-nix-trust",
    severity=Severity.WARNING,
    summary="`nix.settings.trusted-users` trusts a group (`@wheel`, `@users`) or a non-root "
            "user: root-equivalent",
    fix=FixAvailability.NONE,
    options=("nix.settings.trusted-users", "nix.trustedUsers"),
)
NXA705 = Rule(
    code="NXA705",
    name="root-equivalent-convenience",
    severity=Severity.INFO,
    summary="`security.sudo.wheelNeedsPassword = false`, or a user in the `docker` group: "
            "root without a password",
    fix=FixAvailability.NONE,
    options=("security.sudo.wheelNeedsPassword", "users.users.*.extraGroups"),
)

_TRUSTED = (("nix", "settings", "trusted-users"), ("nix", "trustedUsers"))
_BROAD_GROUPS = frozenset({"@users", "*"})


@NXA704.check
def root_equivalent_nix_trust(
    doc: ParsedDocument, ctx: FileContext, index: Indexes | None
) -> Iterator[Finding]:
    """`nix.settings.trusted-users` makes users root-equivalent.

    ## What it does
    Reads the literal entries of `nix.settings.trusted-users` (or the older
    `nix.trustedUsers`) in a NixOS module. A group every login user is in (`@users`) or
    everyone (`*`) is a warning; `@wheel` and named users other than `root` are an info —
    often a conscious choice (remote deployment, a single-user laptop), worth knowing.

    ## Why is this bad?
    A trusted user can tell the Nix daemon to accept any store path as built by anyone
    (`--option require-sigs false`, their own substituters, `builtins.fetch*` with their own
    hashes): they can put a modified `sudo` or `systemd` into the store that the next
    rebuild installs. That is root, without a password and without sudo's logs. In
    `allowed-users` (the default: everyone) users can already build and install packages
    for themselves, safely; `trusted-users` is only needed for remote builds and deploys.

    ## Example
    ```nix
    nix.settings.trusted-users = [ "root" "@users" ];
    ```

    Use instead:
    ```nix
    nix.settings.trusted-users = [ "root" ];  # deploy as root, or trust only the deploy user
    ```

    ## Fix safety
    No automatic fix: remote deployments (`nixos-rebuild --target-host`, deploy-rs,
    colmena) may rely on the trusted user.

    ## References
    - https://nix.dev/manual/nix/stable/command-ref/conf-file.html#conf-trusted-users
    - https://search.nixos.org/options?query=nix.settings.trusted-users
    """
    for definition in find(nixos_definitions(doc, ctx), *_TRUSTED):
        if not isinstance(definition.value, tuple):
            continue
        entries = [v for v in definition.value if isinstance(v, str)]
        broad = [e for e in entries if e in _BROAD_GROUPS]
        others = [e for e in entries if e != "root" and e not in _BROAD_GROUPS]
        if broad:
            yield NXA704.finding(
                definition.span,
                f"`{broad[0]}` in `trusted-users`: every login user can make the Nix daemon "
                "install store paths nobody built or signed — root without a password; keep "
                "it to `root` (and a deploy user)",
                option=definition.binding.dotted,
            )
        elif others:
            shown = ", ".join(f"`{e}`" for e in others[:3])
            yield NXA704.finding(
                definition.span,
                f"{shown} in `trusted-users` can make the Nix daemon install unsigned store "
                "paths: root-equivalent without sudo's password; drop it unless remote "
                "deployments need it",
                option=definition.binding.dotted,
                severity=Severity.INFO,
            )


@NXA705.check
def root_equivalent_convenience(
    doc: ParsedDocument, ctx: FileContext, index: Indexes | None
) -> Iterator[Finding]:
    """Passwordless sudo for `wheel`, or a user in the `docker` group.

    ## What it does
    Notes (info) `security.sudo.wheelNeedsPassword = false` and a literal `"docker"` in
    `users.users.<name>.extraGroups` of a NixOS module. Both are root without a password,
    and both are a conscious choice for many (a single-user laptop, a CI runner).

    ## Why is this bad?
    Any program running as that user — a compromised browser extension, a malicious npm
    package — becomes root without asking: `sudo` does not prompt, and the docker socket
    starts a container with `/` mounted.

    ## Example
    ```nix
    security.sudo.wheelNeedsPassword = false;
    users.users.alice.extraGroups = [ "wheel" "docker" ];
    ```

    Use instead:
    ```nix
    users.users.alice.extraGroups = [ "wheel" ];
    virtualisation.docker.rootless = { enable = true; setSocketVariable = true; };
    ```

    ## Fix safety
    No automatic fix: it is a choice; silence it with `--ignore NXA705` or a
    `# nixls-assist: ignore` comment where it is deliberate.

    ## References
    - https://search.nixos.org/options?query=security.sudo.wheelNeedsPassword
    - https://docs.docker.com/engine/security/#docker-daemon-attack-surface
    """
    definitions = nixos_definitions(doc, ctx)
    for definition in find(definitions, ("security", "sudo", "wheelNeedsPassword")):
        if definition.value is False:
            yield NXA705.finding(
                definition.span,
                "`wheelNeedsPassword = false`: any program running as a `wheel` user becomes "
                "root without a prompt",
                option=definition.binding.dotted,
            )
    for definition in definitions:
        path = definition.path
        if len(path) == 4 and path[:2] == ("users", "users") and path[3] == "extraGroups" \
                and isinstance(definition.value, tuple) and "docker" in definition.value:
            user = f"`{path[2]}`" if path[2] != "*" else "this user"
            yield NXA705.finding(
                definition.span,
                f"{user} in the `docker` group: the docker socket is root without a password "
                "(a container can mount `/`); rootless docker or podman avoid it",
                option=definition.binding.dotted,
            )
