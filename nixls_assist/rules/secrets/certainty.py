"""How sure NXA201 is that a literal under a secret-named option is a secret.

An error only when it is certain: a published token format or a private key block anywhere,
or a literal set on an option whose documented value is a secret (a login password, a Wi-Fi
passphrase, a WireGuard key). A literal under any other secret-looking name is a warning, and
none at all when the value or its neighbours show that it protects nothing: a stand-in
(`"unused"`, `"dummy"`), a database column mapping, a password equal to the user name or
sent over a unix socket (peer authentication ignores it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from nixls_assist.findings import Severity
from nixls_assist.rules.secrets.shapes import Shape, placeholder_reason, token_shape, words
from option_index.paths import matches_pattern


@dataclass(frozen=True)
class Verdict:
    severity: Severity  # ERROR: certain; WARNING: a secret by its name only
    kind: str  # what the secret is, for the message ("login password", "GitHub token")
    shape: Shape


def _pattern(path: str) -> tuple[str, ...]:
    return tuple(path.split("."))


# Options whose value is a secret by definition (NixOS option paths, `<name>` / `*` match any
# attribute name / list element); a literal set on them is the secret, even a weak one.
CERTAIN_OPTIONS: tuple[tuple[tuple[str, ...], str], ...] = tuple(
    (_pattern(path), kind)
    for path, kind in (
        ("users.users.<name>.password", "login password"),
        ("users.users.<name>.initialPassword", "login password"),
        ("users.extraUsers.<name>.password", "login password"),
        ("users.extraUsers.<name>.initialPassword", "login password"),
        ("boot.loader.grub.users.<name>.password", "boot loader password"),
        ("networking.wireless.networks.<name>.psk", "Wi-Fi passphrase"),
        ("networking.wireless.networks.<name>.pskRaw", "Wi-Fi key"),
        ("networking.wireless.networks.<name>.auth", "Wi-Fi credential"),
        ("networking.wireguard.interfaces.<name>.privateKey", "WireGuard private key"),
        ("networking.wireguard.interfaces.<name>.peers.*.presharedKey", "WireGuard preshared key"),
        ("networking.wg-quick.interfaces.<name>.privateKey", "WireGuard private key"),
        ("networking.wg-quick.interfaces.<name>.peers.*.presharedKey", "WireGuard preshared key"),
        ("services.hostapd.wpaPassphrase", "Wi-Fi passphrase"),
        (
            "services.hostapd.radios.<name>.networks.<name>.authentication.wpaPassword",
            "Wi-Fi passphrase",
        ),
        (
            "services.hostapd.radios.<name>.networks.<name>.authentication.saePasswords.*.password",
            "Wi-Fi passphrase",
        ),
        (
            "services.hostapd.radios.<name>.networks.<name>.settings.wpa_passphrase",
            "Wi-Fi passphrase",
        ),
        ("services.create_ap.settings.PASSPHRASE", "Wi-Fi passphrase"),
        (
            "networking.networkmanager.ensureProfiles.profiles.<name>.wifi-security.psk",
            "Wi-Fi passphrase",
        ),
    )
)
# Attribute names that are a Wi-Fi passphrase wherever they are set (hostapd / wpa_supplicant
# keys inside a module's free-form settings).
_WIFI_NAMES = frozenset({"wpa_passphrase", "wpaPassphrase", "wpa_psk", "sae_password"})

# Attrsets that map names to names (an LDAP/SQL schema, token lifetimes): `secret = "secret"`
# there is the column that holds a secret, `access_token = "1h"` its lifetime.
_SCHEMA_SEGMENTS = frozenset(
    {
        "columns",
        "fields",
        "mapping",
        "mappings",
        "attributes",
        "attribute_mapping",
        "lifespans",
        "lifespan",
        "claims",
        "schema",
    }
)
_USER_WORDS = frozenset({"user", "username", "login", "role", "owner"})
_HOST_WORDS = frozenset({"host", "hostname", "socket", "sock", "unixsocket"})


def certain_kind(path: Sequence[str]) -> str | None:
    """What secret an option holds by definition (`login password`), or None."""
    for pattern, kind in CERTAIN_OPTIONS:
        if matches_pattern(pattern, path):
            return kind
    if path and path[-1] in _WIFI_NAMES:
        return "Wi-Fi passphrase"
    if len(path) >= 2 and path[-2] == "basicAuth":
        return "HTTP basic-auth password"  # nginx `basicAuth.<user> = "<password>"`
    return None


def judge(path: Sequence[str], text: str, siblings: Mapping[str, str]) -> Verdict | None:
    """The verdict on a literal `text` (already not harmless) set on a secret-named `path`.

    `siblings` maps the names of the string literals defined next to it to their values.
    """
    shape = token_shape(text)
    if shape is not None and shape.certain:
        return Verdict(Severity.ERROR, shape.kind, shape)
    if (kind := certain_kind(path)) is not None:
        return Verdict(Severity.ERROR, kind, Shape(kind))
    if placeholder_reason(text) is not None or protects_nothing(path, text, siblings) \
            or names_a_public_key(path, text):
        return None
    return Verdict(Severity.WARNING, "secret", shape or Shape("secret"))


# An OpenPGP key's ID or fingerprint (short, long, v4; `0x` prefix, `!` suffix allowed).
_KEY_ID = re.compile(r"(?:0x)?(?:[0-9A-Fa-f]{8}|[0-9A-Fa-f]{16}|[0-9A-Fa-f]{40})!?")


def names_a_public_key(path: Sequence[str], text: str) -> bool:
    """`signingKey = "2CEA90502F6F3637"`: a signing key named by its public ID (git, gpg
    take the ID and find the private key in the keyring), not the key itself."""
    return bool(path) and "signing" in words(path[-1]) and \
        _KEY_ID.fullmatch(text.replace(" ", "")) is not None


def protects_nothing(path: Sequence[str], text: str, siblings: Mapping[str, str]) -> bool:
    """A schema mapping, or a password its neighbours show is never checked."""
    if any(segment in _SCHEMA_SEGMENTS for segment in path[:-1]):
        return True
    if len(path) >= 2 and text == path[-2]:
        return True  # `users.sensors.password = "sensors"`: the account's own name
    for name, value in siblings.items():
        last = words(name)[-1:] or [""]
        if last[0] in _USER_WORDS and value == text:
            return True  # password = user name: peer / trust authentication
        if last[0] in _HOST_WORDS and value.startswith("/"):
            return True  # a unix socket: PostgreSQL / MySQL peer authentication
    return False
