"""What a Nix file is — flake, NixOS / home-manager / nix-darwin module, package, overlay —
decided from its shape and names alone, never by evaluating it."""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePath

from tree_sitter import Node

from nixls_assist.syntax.bindings import module_bindings
from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.nodes import (
    ATTRSET_KINDS,
    attrpath_names,
    bindings_of,
    unwrap_parens,
    unwrap_to_body,
)


class FileKind(enum.Enum):
    FLAKE = "flake"
    NIXOS = "nixos-module"
    HOME_MANAGER = "home-manager-module"
    DARWIN = "nix-darwin-module"
    MODULE = "module"  # a module whose system could not be told
    PACKAGE = "package"
    OVERLAY = "overlay"
    OTHER = "other"

    @property
    def is_module(self) -> bool:
        return self in (FileKind.NIXOS, FileKind.HOME_MANAGER, FileKind.DARWIN, FileKind.MODULE)


@dataclass(frozen=True)
class Classification:
    kind: FileKind
    reason: str


MODULE_ARGS = frozenset({"config", "options", "modulesPath", "osConfig", "nixosConfig",
                         "darwinConfig"})
PACKAGE_ARGS = frozenset({"stdenv", "stdenvNoCC", "fetchurl", "fetchFromGitHub", "fetchgit",
                          "buildPythonPackage", "buildGoModule", "rustPlatform", "mkDerivation",
                          "callPackage", "makeWrapper", "buildNpmPackage", "python3Packages"})
OVERLAY_ARGS = (("final", "prev"), ("self", "super"))

# First one or two path segments that only one module system uses.
HOME_MANAGER_PREFIXES = frozenset({
    "home", "xdg.configFile", "xdg.dataFile", "programs.home-manager", "wayland.windowManager",
    "accounts", "targets", "news", "dconf.settings", "services.gpg-agent",
    "programs.zsh.oh-my-zsh", "programs.zsh.enableAutosuggestions", "programs.kitty",
    "programs.alacritty", "programs.rofi", "programs.firefox.profiles", "programs.eza",
    "services.dunst", "services.mako", "gtk.theme", "gtk.iconTheme",
})
NIXOS_PREFIXES = frozenset({
    "boot", "fileSystems", "swapDevices", "networking", "users.users", "users.groups",
    "environment.systemPackages", "hardware", "services.xserver", "services.openssh",
    "services.nginx", "services.postgresql", "systemd.services", "security.sudo",
    "security.rtkit", "virtualisation", "i18n.defaultLocale", "time.timeZone", "console",
    "sound", "powerManagement", "zramSwap", "services.pipewire", "nixpkgs.hostPlatform",
    "services.printing", "services.displayManager", "system.autoUpgrade",
})
DARWIN_PREFIXES = frozenset({
    "system.defaults", "homebrew", "launchd.daemons", "launchd.agents", "launchd.user",
    "services.nix-daemon", "system.keyboard", "system.primaryUser", "nix-homebrew",
})

# Paths only nix-darwin declares (the first one to four segments): the voting prefixes above
# and these. One of them and no NixOS-only path makes a nix-darwin module, whatever the shared
# names (`environment.systemPackages`, `networking.hostName`) vote.
DARWIN_ONLY = DARWIN_PREFIXES | frozenset({
    "launchd", "security.pam.enableSudoTouchIdAuth", "security.pam.services.sudo_local",
    "networking.computerName", "networking.localHostName", "networking.knownNetworkServices",
    "networking.applicationFirewall", "environment.launchAgents",
    "environment.launchDaemons", "environment.userLaunchAgents", "services.yabai",
    "services.skhd", "services.sketchybar", "services.aerospace", "services.jankyborders",
})
# Paths nix-darwin does not have: a module defining one is not a nix-darwin module.
NIXOS_ONLY = frozenset({
    "boot", "fileSystems", "swapDevices", "hardware", "systemd", "services.xserver",
    "networking.networkmanager", "networking.firewall", "networking.interfaces", "i18n",
    "console", "zramSwap", "powerManagement", "sound",
    "services.pipewire", "services.displayManager", "virtualisation",
})


def classify(doc: ParsedDocument, path: PurePath | None = None) -> Classification:
    """Decide a file's kind; the reason is shown in hover and `--verbose` output."""
    expression = doc.root.child_by_field_name("expression")
    if path is not None and path.name == "flake.nix":
        return Classification(FileKind.FLAKE, "named flake.nix")
    top = unwrap_to_body(expression)
    if top is not None and top.type in ATTRSET_KINDS and _has_key(top, "outputs"):
        return Classification(FileKind.FLAKE, "top-level attrset with `outputs`")
    args, body = _function_shape(top)
    if _is_overlay(top):
        return Classification(FileKind.OVERLAY, "a two-argument overlay (`final: prev: { … }`)")
    if args & PACKAGE_ARGS and not args & MODULE_ARGS:
        shown = ", ".join(sorted(args & PACKAGE_ARGS)[:3])
        return Classification(FileKind.PACKAGE, f"takes package-builder arguments ({shown})")
    module_like = bool(args & MODULE_ARGS) or (
        body is not None and body.type in ATTRSET_KINDS and _looks_like_config(doc)
    ) or ({"lib", "pkgs"} <= args)
    if not module_like:
        return Classification(FileKind.OTHER, "neither a flake, a module, a package nor an overlay")
    if "osConfig" in args or "nixosConfig" in args:
        return Classification(FileKind.HOME_MANAGER, "takes `osConfig` (home-manager argument)")
    if "darwinConfig" in args:
        return Classification(FileKind.DARWIN, "takes `darwinConfig`")
    return _by_definitions(doc, path)


_VOTING_PREFIXES = (
    (FileKind.HOME_MANAGER, HOME_MANAGER_PREFIXES),
    (FileKind.NIXOS, NIXOS_PREFIXES),
    (FileKind.DARWIN, DARWIN_PREFIXES),
)


def _by_definitions(doc: ParsedDocument, path: PurePath | None) -> Classification:
    votes: Counter[FileKind] = Counter()
    examples: dict[FileKind, str] = {}
    darwin_only, nixos_only = "", False
    for binding in module_bindings(doc, file_is_module=True):
        if binding.scope.origin != "file":
            continue
        names = binding.path
        first = names[0]
        pair = f"{first}.{names[1]}" if len(names) > 1 else first
        dotted = ".".join(names)
        prefixes = {".".join(names[:n]) for n in range(1, min(len(names), 4) + 1)}
        if not darwin_only and (prefixes & DARWIN_ONLY or (
                names[:2] == ("users", "users") and names[3:4] == ("isHidden",))):
            darwin_only = dotted
        if prefixes & NIXOS_ONLY:
            nixos_only = True
        for kind, prefixes in _VOTING_PREFIXES:
            if first in prefixes or pair in prefixes:
                votes[kind] += 1
                examples.setdefault(kind, ".".join(names))
        if names[:2] == ("system", "stateVersion") and binding.value is not None:
            value = unwrap_parens(binding.value)
            if value is not None and value.type == "integer_expression":
                votes[FileKind.DARWIN] += 3
                examples.setdefault(FileKind.DARWIN, "system.stateVersion = <integer>")
            else:
                votes[FileKind.NIXOS] += 1
                examples.setdefault(FileKind.NIXOS, "system.stateVersion")
    if darwin_only and not nixos_only:
        return Classification(FileKind.DARWIN, f"defines `{darwin_only}` (nix-darwin only)")
    hint = _path_hint(path) if path is not None else None
    if hint is not None and hint[0] is FileKind.DARWIN and not nixos_only \
            and not votes[FileKind.HOME_MANAGER]:
        return Classification(FileKind.DARWIN, f"{hint[1]}, and defines nothing NixOS-only")
    if hint is not None:
        votes[hint[0]] += 1
        examples.setdefault(hint[0], hint[1])
    if not votes:
        return Classification(FileKind.MODULE, "a module, but no definition says which system")
    ranked = votes.most_common()
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return Classification(FileKind.MODULE, "a module with mixed NixOS / home-manager signs")
    kind = ranked[0][0]
    return Classification(kind, f"defines `{examples[kind]}`")


def _path_hint(path: PurePath) -> tuple[FileKind, str] | None:
    parts = {p.lower() for p in path.parts[:-1]}
    name = path.name.lower()
    if name == "home.nix" or parts & {"home", "home-manager", "hm", "homes"}:
        return FileKind.HOME_MANAGER, f"lives at {path}"
    if "darwin" in name or parts & {"darwin", "nix-darwin", "macos"}:
        return FileKind.DARWIN, f"lives at {path}"
    if name in ("configuration.nix", "hardware-configuration.nix"):
        return FileKind.NIXOS, f"named {path.name}"
    return None


def _function_shape(node: Node | None) -> tuple[frozenset[str], Node | None]:
    """Formal argument names and the body of a `{ a, b, ... }:` function."""
    if node is None or node.type != "function_expression":
        return frozenset(), node
    names: set[str] = set()
    formals = node.child_by_field_name("formals")
    if formals is not None:
        for formal in formals.named_children:
            name = formal.child_by_field_name("name") if formal.type == "formal" else None
            if name is not None and name.text:
                names.add(name.text.decode())
    return frozenset(names), unwrap_to_body(node.child_by_field_name("body"))


def _is_overlay(node: Node | None) -> bool:
    if node is None or node.type != "function_expression":
        return False
    outer = node.child_by_field_name("universal")
    inner = unwrap_to_body(node.child_by_field_name("body"))
    if outer is None or inner is None or inner.type != "function_expression":
        return False
    second = inner.child_by_field_name("universal")
    pair = (outer.text.decode() if outer.text else "", second.text.decode() if second and
            second.text else "")
    return pair in OVERLAY_ARGS


def _has_key(attrset: Node, key: str) -> bool:
    return any(attrpath_names(binding)[:1] == [key] for binding in bindings_of(attrset))


def _looks_like_config(doc: ParsedDocument) -> bool:
    """A bare attrset module (`{ services.x.enable = true; }`) names known option roots."""
    for binding in module_bindings(doc, file_is_module=True):
        return binding.path[0] in _CONFIG_ROOTS
    return False


_CONFIG_ROOTS = frozenset(
    {p.split(".")[0] for p in HOME_MANAGER_PREFIXES | NIXOS_PREFIXES | DARWIN_PREFIXES}
    | {"services", "programs", "environment", "system", "nix", "security", "systemd",
       "imports", "options", "config"})
