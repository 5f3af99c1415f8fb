"""What a user profile holds: `manifest.json` of `nix profile`, `manifest.nix` of `nix-env`.

Reading a manifest never evaluates anything: `manifest.json` is JSON, and `manifest.nix`
is read with tree-sitter as the list of attrsets `nix-env` writes.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from nixls_assist.errors import NixlsError
from nixls_assist.syntax.document import parse
from nixls_assist.syntax.nodes import ATTRSET_KINDS, bindings_of, static_string, unwrap_parens
from nixls_assist.syntax.shell_installs import PackageRef

_SYSTEM_PREFIX = re.compile(r"^(?:legacyPackages|packages)\.[\w-]+\.")
_NIXPKGS_URL = re.compile(
    r"^(?:flake:)?nixpkgs(?:/[\w.-]+)?$|^github:nixos/nixpkgs(?:/[\w.-]+)?$"
    r"|^path:/nix/store/[a-z0-9]{32}-source$",
    re.IGNORECASE,
)
_STORE_NAME = re.compile(r"^/nix/store/[a-z0-9]{32}-(?P<name>.+)$")
MAX_MANIFEST_BYTES = 16 * 1024 * 1024


class ProfileError(NixlsError):
    """A profile or manifest that cannot be read; the message says which and why."""


@dataclass(frozen=True)
class ProfileEntry:
    name: str  # what the user would recognise: the element name or the derivation name
    package: PackageRef  # attr under pkgs when known
    source: str  # `flake:nixpkgs`, `github:nix-community/…`, `nix-env`
    store_paths: tuple[str, ...] = ()
    handle: str = ""  # what `nix profile remove` / `nix-env -e` accepts for it


def manifest_in(profile: Path) -> Path:
    """The manifest of a profile (a link, a generation directory, or the manifest itself)."""
    if profile.is_file():
        return profile
    for name in ("manifest.json", "manifest.nix"):
        candidate = profile / name
        if candidate.is_file():
            return candidate
    raise ProfileError(f"{profile}: no manifest.json or manifest.nix (is it a Nix profile?)")


def default_profiles(home: Path | None = None, user: str | None = None) -> list[Path]:
    """The profiles `nix-env` and `nix profile` use by default, the ones that exist."""
    home = home or Path.home()
    user = user or os.environ.get("USER", "")
    state = Path(os.environ.get("XDG_STATE_HOME") or home / ".local" / "state")
    candidates = [home / ".nix-profile", state / "nix" / "profile"]
    if user:
        candidates.append(Path("/nix/var/nix/profiles/per-user") / user / "profile")
    found: list[Path] = []
    seen: set[Path] = set()
    for candidate in candidates:
        try:
            resolved = candidate.resolve()
        except OSError:
            continue
        if resolved in seen or not candidate.exists():
            continue
        seen.add(resolved)
        found.append(candidate)
    return found


def read_profile(profile: Path) -> list[ProfileEntry]:
    manifest = manifest_in(profile)
    try:
        if manifest.stat().st_size > MAX_MANIFEST_BYTES:
            raise ProfileError(f"{manifest}: manifest too large to read")
        data = manifest.read_bytes()
    except OSError as exc:
        raise ProfileError(f"{manifest}: cannot read ({exc.strerror})") from exc
    if manifest.name.endswith(".json"):
        return parse_manifest_json(data, manifest)
    return parse_manifest_nix(data, manifest)


def parse_manifest_json(data: bytes, where: Path | str = "manifest.json") -> list[ProfileEntry]:
    """`nix profile`'s manifest, versions 1–3 (3 keys elements by name)."""
    try:
        manifest = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProfileError(f"{where}: not valid JSON ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("version") not in (1, 2, 3):
        version = manifest.get("version") if isinstance(manifest, dict) else None
        raise ProfileError(f"{where}: unknown manifest version {version!r} (known: 1, 2, 3)")
    elements = manifest.get("elements")
    if isinstance(elements, dict):
        named: Iterator[tuple[str | None, object]] = iter(elements.items())
    elif isinstance(elements, list):
        named = ((None, element) for element in elements)
    else:
        raise ProfileError(f"{where}: no `elements`")
    entries = []
    for name, element in named:
        if isinstance(element, dict) and element.get("active", True) is not False:
            entries.append(_json_entry(name, element))
    return entries


def _json_entry(name: str | None, element: dict[str, object]) -> ProfileEntry:
    paths = tuple(p for p in element.get("storePaths") or () if isinstance(p, str))
    attr_path = element.get("attrPath")
    url = element.get("originalUrl") or element.get("originalUri") or element.get("url")
    url = url if isinstance(url, str) else ""
    store_name = _store_name(paths[0]) if paths else None
    if isinstance(attr_path, str) and attr_path:
        attr = _SYSTEM_PREFIX.sub("", attr_path)
        from_nixpkgs = _NIXPKGS_URL.match(url) is not None
        label = name or (attr if from_nixpkgs else _pname(store_name or attr))
        package = PackageRef(f"{url}#{attr_path}", attr if from_nixpkgs else None, from_nixpkgs)
        return ProfileEntry(label, package, url or "unknown flake", paths, name or attr_path)
    label = name or (_pname(store_name) if store_name else "unknown")
    return ProfileEntry(label, PackageRef(label, None, False), "a store path", paths,
                        name or (paths[0] if paths else label))


def _store_name(path: str) -> str | None:
    match = _STORE_NAME.match(path)
    return match["name"] if match else None


def parse_manifest_nix(data: bytes, where: Path | str = "manifest.nix") -> list[ProfileEntry]:
    """`nix-env`'s manifest: `[ { name = "ripgrep-14.1.0"; outPath = …; … } … ]`."""
    doc = parse(data)
    root = unwrap_parens(doc.root.child_by_field_name("expression"))
    if root is None or root.type != "list_expression":
        raise ProfileError(f"{where}: expected a list of packages (a nix-env manifest.nix)")
    entries = []
    for element in root.named_children:
        if element.type not in ATTRSET_KINDS:
            continue
        fields: dict[str, str] = {}
        for binding in bindings_of(element):
            attrpath = binding.child_by_field_name("attrpath")
            value = binding.child_by_field_name("expression")
            if attrpath is None or value is None or attrpath.named_child_count != 1:
                continue
            text = static_string(value)
            if text is not None:
                fields[doc.node_text(attrpath.named_children[0])] = text
        name = fields.get("name")
        if not name:
            continue
        pname = _pname(name)
        out = fields.get("outPath")
        entries.append(ProfileEntry(name, PackageRef(name, pname, exact=False), "nix-env",
                                    (out,) if out else (), name))
    return entries


def _pname(name: str) -> str:
    """`builtins.parseDrvName`: `ripgrep-14.1.0` → `ripgrep`, `python3.12-requests-2.32` → …"""
    match = re.search(r"-(?![A-Za-z])", name)
    return name[: match.start()] if match else name
