"""Secret options that have a `*File` / `*Path` sibling read at runtime (for NXA201/NXA203).

The option index answers this for the pinned release when it is available (option `X` has a
sibling `XFile`); the small built-in table below answers it without an index. Its entries are
NixOS option paths as printed by `options.json` (`<name>` for attrs-of-submodule names, `*` for
list-of-submodule elements) and are checked against the real option data in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from nixls_assist.context import FileContext, FileKind
from nixls_assist.context.release import ReleasePin
from nixls_assist.syntax.bindings import ModuleSystem, OptionBinding
from option_index.paths import matches_pattern, show_path


@dataclass(frozen=True)
class FileAlternative:
    plain: tuple[str, ...]  # option path pattern of the plain secret option
    sibling: str  # the name of the runtime-file option next to it
    since: str | None = None  # first release that has the sibling (None: older than 22.11)


def _alt(path: str, sibling: str, since: str | None = None) -> FileAlternative:
    return FileAlternative(tuple(path.split(".")), sibling, since)


# NixOS options (nixpkgs `nixos/modules`); `users.users.<name>.passwordFile` was renamed to
# `hashedPasswordFile` in 23.11.
BUILTIN_ALTERNATIVES: tuple[FileAlternative, ...] = (
    _alt("users.users.<name>.password", "hashedPasswordFile", "23.11"),
    _alt("users.users.<name>.initialPassword", "hashedPasswordFile", "23.11"),
    _alt("boot.loader.grub.users.<name>.password", "passwordFile"),
    _alt("networking.wireguard.interfaces.<name>.privateKey", "privateKeyFile"),
    _alt("networking.wireguard.interfaces.<name>.peers.*.presharedKey", "presharedKeyFile"),
    _alt("networking.wg-quick.interfaces.<name>.privateKey", "privateKeyFile"),
    _alt("networking.wg-quick.interfaces.<name>.peers.*.presharedKey", "presharedKeyFile"),
    _alt("services.gitea.database.password", "passwordFile"),
    _alt("services.gitea-actions-runner.instances.<name>.token", "tokenFile"),
    _alt("services.k3s.token", "tokenFile"),
    _alt("services.rke2.token", "tokenFile"),
    _alt("services.rke2.agentToken", "agentTokenFile"),
    _alt("services.redis.servers.<name>.requirePass", "requirePassFile"),
    _alt("services.mosquitto.listeners.*.users.<name>.password", "passwordFile"),
    _alt("services.shadowsocks.password", "passwordFile"),
    _alt("services.roundcube.database.password", "passwordFile"),
    _alt("services.tt-rss.database.password", "passwordFile"),
    _alt("services.hostapd.radios.<name>.networks.<name>.authentication.wpaPassword",
         "wpaPasswordFile"),
    _alt("services.openvscode-server.connectionToken", "connectionTokenFile"),
    _alt("services.buildbot-worker.workerPass", "workerPassFile"),
    _alt("services.anki-sync-server.users.*.password", "passwordFile"),
    _alt("services.wakapi.smtpPassword", "smtpPasswordFile"),
    _alt("services.netbird.server.coturn.password", "passwordFile"),
    _alt("services.jenkins.jobBuilder.accessToken", "accessTokenFile"),
    _alt("services.longview.apiKey", "apiKeyFile"),
    _alt("services.longview.mysqlPassword", "mysqlPasswordFile"),
    _alt("services.quicktun.<name>.privateKey", "privateKeyFile"),
    _alt("services.bepasty.servers.<name>.secretKey", "secretKeyFile"),
    _alt("services.cadvisor.storageDriverPassword", "storageDriverPasswordFile"),
    _alt("services.prometheus.exporters.deluge.delugePassword", "delugePasswordFile"),
)


def _older(release: str, since: str) -> bool:
    try:
        from option_index.releases import release_key
    except ImportError:  # the index package is optional for the rules
        return False
    try:
        return release_key(release) < release_key(since)
    except ValueError:
        return False


def index_system(binding: OptionBinding | None, ctx: FileContext) -> str | None:
    """`nixos` / `home-manager` for the module a binding belongs to (None: no index for it)."""
    system = binding.scope.system if binding is not None else ModuleSystem.FILE
    if system is ModuleSystem.FILE:
        system = {
            FileKind.NIXOS: ModuleSystem.NIXOS,
            FileKind.MODULE: ModuleSystem.NIXOS,
            FileKind.FLAKE: ModuleSystem.NIXOS,
            FileKind.HOME_MANAGER: ModuleSystem.HOME_MANAGER,
        }.get(ctx.kind, ModuleSystem.DARWIN)
    return {ModuleSystem.NIXOS: "nixos", ModuleSystem.HOME_MANAGER: "home-manager"}.get(system)


def _pin(system: str, ctx: FileContext) -> ReleasePin | None:
    return ctx.home_manager if system == "home-manager" else ctx.nixos


def file_alternative(
    path: tuple[str, ...], binding: OptionBinding | None, ctx: FileContext, indexes: object
) -> str | None:
    """The full path of the `*File` option to use instead of `path`, or None."""
    system = index_system(binding, ctx)
    if system is None:
        return None
    pin = _pin(system, ctx)
    index = indexes.get(system, pin) if indexes is not None else None  # type: ignore[attr-defined]
    if index is not None and getattr(index, "has_reference_set", False):
        found = _from_index(index, path)
        if found is not None:
            return found
    if system != "nixos":
        return None
    for alternative in BUILTIN_ALTERNATIVES:
        if not matches_pattern(alternative.plain, path):
            continue
        if alternative.since and pin is not None and _older(pin.release, alternative.since):
            return None
        return show_path((*path[:-1], alternative.sibling))
    return None


def _from_index(index: object, path: tuple[str, ...]) -> str | None:
    from option_index.model import Lookup

    lookup = index.lookup  # type: ignore[attr-defined]
    if lookup(path)[0] is not Lookup.FOUND:
        return None
    for suffix in ("File", "Path"):
        sibling = (*path[:-1], path[-1] + suffix)
        if lookup(sibling)[0] is Lookup.FOUND:
            return show_path(sibling)
    return None
