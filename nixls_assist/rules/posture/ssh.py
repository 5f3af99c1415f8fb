"""NXA701 / NXA702: SSH that accepts passwords where it should not."""

from __future__ import annotations

from collections.abc import Iterator

from nixls_assist.context import FileContext
from nixls_assist.findings import Finding, Severity
from nixls_assist.rules.base import FixAvailability, Indexes, Rule
from nixls_assist.rules.posture.definitions import Definition, find, nixos_definitions
from nixls_assist.syntax.document import ParsedDocument

NXA701 = Rule(
    code="NXA701",
    name="ssh-root-password-login",
    severity=Severity.WARNING,
    summary="SSH lets root log in with a password (`PermitRootLogin = \"yes\"` with password "
            "authentication on)",
    fix=FixAvailability.NONE,
    options=("services.openssh.settings.PermitRootLogin", "services.openssh.permitRootLogin"),
)
NXA702 = Rule(
    code="NXA702",
    name="ssh-password-beside-keys",
    severity=Severity.WARNING,
    summary="SSH password authentication turned on for users who have authorized keys",
    fix=FixAvailability.NONE,
    options=("services.openssh.settings.PasswordAuthentication",
             "services.openssh.passwordAuthentication"),
)

_ROOT_LOGIN = (("services", "openssh", "settings", "PermitRootLogin"),
               ("services", "openssh", "permitRootLogin"))
_PASSWORD = (("services", "openssh", "settings", "PasswordAuthentication"),
             ("services", "openssh", "passwordAuthentication"))


def _password_state(definitions: list[Definition]) -> object:
    """True: password logins explicitly on; False: off or unknowable here; None: not set
    in this file (the NixOS default, on, unless another module says otherwise)."""
    found = find(definitions, *_PASSWORD)
    if not found:
        return None
    return all(d.value is True for d in found)


@NXA701.check
def ssh_root_password_login(
    doc: ParsedDocument, ctx: FileContext, index: Indexes | None
) -> Iterator[Finding]:
    """SSH lets root log in with a password.

    ## What it does
    Reports `services.openssh.settings.PermitRootLogin = "yes"` (or the older
    `services.openssh.permitRootLogin`) in a NixOS module that leaves password
    authentication on: a warning when the same module sets `PasswordAuthentication = true`,
    an info when it does not set it at all (NixOS's default is on; another module of the
    host may turn it off). Only literal values count (plain or `mkForce`): a `mkDefault`,
    a variable or a computed value is left alone, and so are NixOS tests,
    `virtualisation.vmVariant` and installer / ISO images, which legitimately let root in.

    ## Why is this bad?
    Root is the one account every scanner on the internet tries: with `"yes"` a guessed or
    reused root password is the whole machine.

    ## Example
    ```nix
    services.openssh.settings = {
      PermitRootLogin = "yes";
      PasswordAuthentication = true;
    };
    ```

    Use instead:
    ```nix
    services.openssh.settings = {
      PermitRootLogin = "prohibit-password";  # keys only, or "no"
      PasswordAuthentication = false;
    };
    ```

    ## Fix safety
    No automatic fix: changing how root logs in can lock you out of a remote machine; put
    a key in `users.users.root.openssh.authorizedKeys.keys` first.

    ## References
    - https://search.nixos.org/options?query=services.openssh.settings.PermitRootLogin
    - https://man.openbsd.org/sshd_config#PermitRootLogin
    """
    definitions = nixos_definitions(doc, ctx)
    roots = [d for d in find(definitions, *_ROOT_LOGIN) if d.value == "yes"]
    if not roots:
        return
    state = _password_state(definitions)
    if state is False:
        return
    for root in roots:
        if state is True:
            yield NXA701.finding(
                root.span,
                "`PermitRootLogin = \"yes\"` with `PasswordAuthentication = true`: anyone who "
                "guesses root's password owns the machine; use `\"prohibit-password\"`",
                option=root.binding.dotted,
            )
        else:
            yield NXA701.finding(
                root.span,
                "`PermitRootLogin = \"yes\"` while password authentication is on by default: "
                "root's password is open to guessing unless another module sets "
                "`PasswordAuthentication = false`; use `\"prohibit-password\"`",
                option=root.binding.dotted,
                severity=Severity.INFO,
            )


@NXA702.check
def ssh_password_beside_keys(
    doc: ParsedDocument, ctx: FileContext, index: Indexes | None
) -> Iterator[Finding]:
    """SSH password authentication turned on for users who have authorized keys.

    ## What it does
    Reports `services.openssh.settings.PasswordAuthentication = true` (or the older
    `passwordAuthentication`) in a NixOS module that also gives its users
    `users.users.<name>.openssh.authorizedKeys.keys` / `keyFiles`. Only a literal `true`
    (plain or `mkForce`) counts; NixOS tests, VM variants and installer images are skipped.

    ## Why is this bad?
    The keys are there, so passwords are only the weaker second door: they can be guessed
    or reused from a leak, keys cannot.

    ## Example
    ```nix
    services.openssh.settings.PasswordAuthentication = true;
    users.users.alice.openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAA… alice@laptop" ];
    ```

    Use instead:
    ```nix
    services.openssh.settings.PasswordAuthentication = false;
    users.users.alice.openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAA… alice@laptop" ];
    ```

    ## Fix safety
    No automatic fix: check every user who logs in over SSH has a key before turning
    passwords off on a remote machine.

    ## References
    - https://search.nixos.org/options?query=services.openssh.settings.PasswordAuthentication
    """
    definitions = nixos_definitions(doc, ctx)
    on = [d for d in find(definitions, *_PASSWORD) if d.value is True]
    if not on:
        return
    users = sorted({d.path[2] for d in definitions
                    if len(d.path) == 6 and d.path[:2] == ("users", "users")
                    and d.path[3:5] == ("openssh", "authorizedKeys")
                    and d.path[5] in ("keys", "keyFiles") and d.path[2] != "*"
                    and d.value != ()})
    if not users:
        return
    names = ", ".join(f"`{u}`" for u in users[:3]) + (" …" if len(users) > 3 else "")
    for definition in on:
        yield NXA702.finding(
            definition.span,
            f"`PasswordAuthentication = true` though {names} log in with keys: passwords are "
            "the weaker door (guessable, reusable); set it to `false`",
            option=definition.binding.dotted,
        )
