"""What a secret looks like, and what only looks like one: pure text recognisers.

Used by the NXA2xx rules. Everything here works on plain strings (a literal's value, an
attribute name, a file name) and never keeps or returns the secret text itself: a match is
described by a `Shape` (its kind and a short, safe prefix such as `ghp_`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Shape:
    """A recognised secret: what it is and the prefix a message may show (never more)."""

    kind: str  # e.g. "GitHub token", "private key block"
    prefix: str = ""  # the public prefix of a known token format, e.g. "ghp_"

    @property
    def certain(self) -> bool:
        """A published token format or a private key block (not a guess from a URL)."""
        return bool(self.prefix)

    @property
    def redacted(self) -> str:
        return f"`{self.prefix}…(redacted)`" if self.prefix else "`…(redacted)`"


# -- values that are secrets by their shape alone (anywhere in any string) --------------------

# (kind, pattern): group `p` is the format's public prefix, the only part a message may show.
# Lengths follow the published formats, so that prose mentioning "ghp_" or a placeholder like
# "ghp_XXXX" is not a token.
_B = r"(?<![A-Za-z0-9_])"
_TOKENS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("GitHub token", re.compile(_B + r"(?P<p>gh[pousr]_)[A-Za-z0-9]{36}(?![A-Za-z0-9])")),
    ("GitHub fine-grained token", re.compile(_B + r"(?P<p>github_pat_)[A-Za-z0-9_]{60,}")),
    ("GitLab token", re.compile(_B + r"(?P<p>glpat-)[A-Za-z0-9_-]{20,}")),
    ("Slack token", re.compile(_B + r"(?P<p>xox[abposr]-)[A-Za-z0-9-]{10,}")),
    ("AWS access key id", re.compile(r"(?<![A-Z0-9])(?P<p>AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")),
    ("API key", re.compile(r"(?<![A-Za-z0-9_@-])(?P<p>sk-(?:proj-|ant-[a-z0-9]+-)?)"
                           r"[A-Za-z0-9_-]{32,}")),
    ("Tailscale key", re.compile(_B + r"(?P<p>tskey-[a-z]+-)[A-Za-z0-9-]{16,}")),
    ("age secret key", re.compile(r"(?P<p>AGE-SECRET-KEY-)1[0-9A-Z]{58}")),
    ("private key block",
     re.compile(r"(?P<p>-----BEGIN) (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")),
)

# scheme://user:password@host — the password part must be literal text, not a placeholder.
_URL_USERINFO = re.compile(
    r"\b[a-z][a-z0-9+.-]*://(?P<user>[^\s:/@'\"]*):(?P<password>[^\s/@'\"]+)@[A-Za-z0-9\[]"
)


# Literal text every match of _TOKENS / _URL_USERINFO contains: a document without any of
# it cannot hold a token, so the per-string search is skipped.
TOKEN_TRIGGERS = re.compile(
    rb"gh[pousr]_|github_pat_|glpat-|xox[abposr]-|AKIA|ASIA|sk-|tskey-|AGE-SECRET-KEY-"
    rb"|-----BEGIN|://"
)


def token_shape(text: str) -> Shape | None:
    """A known token / key format (or URL credentials) anywhere inside `text`."""
    for kind, pattern in _TOKENS:
        if match := pattern.search(text):
            return Shape(kind, match["p"])
    for match in _URL_USERINFO.finditer(text):
        if not _placeholder_like(match["password"]):
            return Shape("password in a URL")
    return None


# -- values that are never secrets ------------------------------------------------------------

_HASH = re.compile(
    r"^(?:\$(?:1|2[abxy]?|5|6|7|y|gy|argon2(?:id|i|d)|pbkdf2(?:-sha\d+)?|scrypt|sha1|md5)\$"
    r"|\{(?:SSHA|SHA|SSHA256|SSHA512|CRYPT|ARGON2|PBKDF2[^}]*)\}"
    r"|pbkdf2_sha256\$|sha256:|sha512:)"
)
_PUBLIC = re.compile(
    r"^(?:ssh-(?:ed25519|rsa|dss)|ecdsa-sha2-nistp\d+|sk-(?:ssh-ed25519|ecdsa-sha2-nistp256)"
    r"@openssh\.com|age1[0-9a-z]{20,}|npub1)"
    r"|-----BEGIN (?:CERTIFICATE|PUBLIC KEY|RSA PUBLIC KEY|PGP PUBLIC KEY BLOCK|X509 CRL"
    r"|CERTIFICATE REQUEST|SSH2 PUBLIC KEY|AGE ENCRYPTED FILE|PGP MESSAGE)-----"
)
_CIPHERTEXT = re.compile(r"ENC\[(?:AES256_GCM|PGP|AGE),")
_PLACEHOLDER = re.compile(
    r"@[A-Za-z0-9_]+@"  # substituteAll / replace-secret placeholders
    r"|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?"  # $ENV / ${ENV} expanded at runtime
    r"|%[A-Za-z_][A-Za-z0-9_]*%|%\{[^}]+\}|%env\b"  # %env% / %{file:...} templates
    r"|\$__(?:file|env|vault)\{"  # Grafana's $__file{…}
    r"|\{\{[^}]*\}\}"  # Go/Jinja templates
    r"|^<[^<>]+>$"  # <your-token-here>
    r"|^ext:[A-Za-z0-9_]+$"  # wpa_supplicant `ext:` name (wireless.secretsFile)
    r"|^!(?:secret|env_var|include)\s"  # Home Assistant's `!secret name`
)
# Commands that fetch a secret at runtime (a `*Command` value, `passwordeval`, …); a leading
# `!` runs a shell command in git credential helpers, aerc and rbw-based configs.
_FETCH_COMMAND = re.compile(
    r"^\s*!?\s*(?:(?:\S*/)?(?:pass|gopass|rbw|bw|op|secret-tool|keepassxc-cli|security|age|sops|gpg"
    r"|systemd-creds|vault|cat|head|kwallet-query|lpass|passage|pinentry)\s"
    r"|op://)"
    r"|\bop://|\bop read\b|\$\(|`"
)
_RUNTIME_PATH = re.compile(r"^(?:/|~/|\./|\.\./|file:/)\S*$")
# Code that reads an environment variable (JavaScript, Python, Rust, Ruby, `env:NAME` refs).
_ENV_READ = re.compile(
    r"\bprocess\.env\b|\bos\.environ\b|\b(?:os\.)?getenv\s*\(|\bstd::env::var\b|\bENV\["
    r"|^env:[A-Za-z_][A-Za-z0-9_]*$"
)
# `1 hour`, `5m`, `1h30m`, `30 days`: a lifetime under a token-named key.
_DURATION = re.compile(
    r"^(?:\d+(?:\.\d+)?\s*(?:ms|s|m|h|d|w|y|sec|secs|seconds?|min|mins|minutes?|hours?|days?"
    r"|weeks?|months?|years?)\s*)+$",
    re.IGNORECASE,
)
# systemd-networkd `Token=` / `IPv6Token=`: an interface identifier (`::1`, `static:::100`,
# `eui64`, `prefixstable:2001:db8::`), not a credential.
_IPV6_TOKEN = re.compile(
    r"^(?:(?:static|prefixstable):)?(?=[0-9A-Fa-f:]*(?:::|:[0-9A-Fa-f]*:[0-9A-Fa-f]*:))"
    r"[0-9A-Fa-f:]+$|^(?:eui64|prefixstable)$"
)
# `pushover/token`, `grafana/admin-password`: the name of an entry in a sops/agenix secrets
# file, given to a module that looks the secret up at runtime.
_SECRET_REFERENCE = re.compile(r"^[a-z][a-z0-9_-]*(?:/[a-z0-9][a-z0-9_.-]*)+$")


def harmless_reason(value: str) -> str | None:
    """Why a string set on a secret-named option is not a secret in the store, or None.

    Empty strings, password hashes, paths to runtime files, placeholders filled in at runtime,
    commands that fetch the secret, public keys and certificates, sops/age ciphertext.
    """
    text = value.strip()
    if not text:
        return "empty"
    if _HASH.match(text):
        return "a password hash"
    if _PUBLIC.search(text):
        return "a public key, certificate or ciphertext"
    if _CIPHERTEXT.search(text):
        return "sops ciphertext"
    if _RUNTIME_PATH.match(text):
        return "a path to a runtime file"
    if _PLACEHOLDER.search(text):
        return "a placeholder filled in at runtime"
    if _FETCH_COMMAND.search(text):
        return "a command that fetches the secret"
    if _ENV_READ.search(text):
        return "code that reads an environment variable"
    if text.lower() in ("yes", "no", "true", "false", "on", "off"):
        return "a flag"
    if _DURATION.match(text):
        return "a duration"
    if _IPV6_TOKEN.match(text):
        return "an IPv6 interface identifier"
    if _SECRET_REFERENCE.match(text):
        return "the name of a secret looked up at runtime"
    return None


# Values a module needs to be non-empty but that nothing checks (a local LLM server's API key,
# a service behind peer authentication). For a login password they are still the password.
_PLACEHOLDER_WORDS = frozenset(
    {"unused", "notused", "changeme", "dummy", "placeholder", "none", "null", "nil", "ignored",
     "ignore", "anything", "whatever", "example", "todo", "fixme", "replaceme", "changethis",
     "notasecret", "nosecret", "nopassword", "notneeded", "unneeded", "notrequired", "noauth",
     "nokey", "xxx", "sk-no-key-required", "sk-dummy", "sk-xxx"}
)
_PLACEHOLDER_SHAPE = re.compile(
    r"^(?:x+|\*+|\.+|-+|your[-_ ].*|.*[-_ ]here|<.*>|\[.*\]|changeme.*|dummy.*)$", re.IGNORECASE
)


# `AZURE_API_KEY`, `__OIDC_CLIENT_SECRET__`: an environment variable or a marker replaced at
# runtime (case-sensitive: `my_secret_pw` may be a password).
_VARIABLE_NAME = re.compile(r"^_*[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+_*$")


def placeholder_reason(value: str) -> str | None:
    """Why a literal is a stand-in (`unused`, `dummy`, `changeme`, `xxxx`), or None.

    Separate from `harmless_reason`: a stand-in is still a real login password when it is set
    as one, so the caller decides where it counts.
    """
    text = value.strip()
    compact = re.sub(r"[\s_-]", "", text.lower())
    if compact in _PLACEHOLDER_WORDS or text.lower() in _PLACEHOLDER_WORDS:
        return "a placeholder"
    if _PLACEHOLDER_SHAPE.match(text):
        return "a placeholder"
    if _VARIABLE_NAME.match(text):
        return "the name of a variable"
    return None


def _placeholder_like(password: str) -> bool:
    """`${PASS}`, `@DB_PASSWORD@`, `****`: filled in or masked, not a literal password."""
    return bool(_PLACEHOLDER.search(password) or password.strip("*xX.") == "")


# -- names --------------------------------------------------------------------------------------

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z]|\b|[0-9_-]|$)|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
# The last word of an option name that holds a secret value.
_SECRET_LAST = frozenset({"password", "passwd", "passphrase", "secret", "token", "psk", "pw"})
# `…Key` is a secret only after these words (`privateKey`, `apiKey`, not `sslCertificateKey`).
_KEY_QUALIFIERS = frozenset(
    {"private", "preshared", "secret", "api", "access", "auth", "signing", "encryption",
     "master", "client", "shared", "session", "hmac", "jwt", "psk", "license", "enrollment",
     "enroll", "join", "bootstrap", "cluster", "account", "app"}
)
# Whole names (lowercased, separators removed) that are secrets though their words are not.
_SECRET_NAMES = frozenset(
    {"pskraw", "requirepass", "workerpass", "adminpass", "dbpass", "rpcpassword", "rpcpass",
     "smtppass", "bindpw", "bindpass", "rootpw", "masterauth", "credentials", "authkey"}
)
# A word anywhere in the name that makes it a reference, a flag or metadata, not the secret.
_NOT_SECRET_WORDS = frozenset(
    {"file", "files", "path", "paths", "dir", "command", "cmd", "eval", "hash", "hashed",
     "public", "pub", "url", "uri", "endpoint", "length", "ttl", "lifetime", "expiry", "expire",
     "type", "header", "name", "env", "authentication", "policy", "mode", "method", "prompt",
     "store", "storage", "id", "kind", "format", "helper", "manager", "agent", "backend",
     "program", "script", "needs", "require", "required", "enable", "enabled", "allow",
     "min", "max", "rounds", "algorithm", "cipher", "salt", "reset", "change", "expiration",
     "regex", "pattern", "attribute", "field", "label", "hint", "source", "sops", "age",
     "generator", "rotation", "secrets", "keys", "tokens", "passwords", "lifespan", "timeout",
     "duration", "validity", "expires", "interval", "limit", "count", "size"}
)


def words(name: str) -> list[str]:
    """`adminPasswordFile` → [admin, password, file]; `admin_password` → [admin, password]."""
    return [w.lower() for w in _WORD.findall(name)]


# Text every secret name contains (lowercased): a config text without any cannot assign one.
SECRET_NAME_TRIGGERS = re.compile(rb"pass|pw|secret|token|psk|key|masterauth|credentials", re.I)


# `org.freedesktop.impl.portal.Secret`, `com.example.Token`: a D-Bus interface or Java-style
# qualified name used as an attribute name, not a credential.
_QUALIFIED_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]*(?:\.[A-Za-z0-9_-]+){2,}$")
# The words a `<word>Secret` name ends with when it names a secret rather than holding one
# (`tokenSecret = "pushover/token"`: the sops key that holds the token).
_REFERENCED = frozenset({"token", "password", "passwd", "key", "user", "url", "credentials"})


@functools.lru_cache(maxsize=4096)  # attribute names repeat across a configuration
def is_secret_name(name: str) -> bool:
    """Whether an attribute called `name` holds a secret value (not a file, hash or flag)."""
    compact = re.sub(r"[^a-z0-9]", "", name.lower())
    parts = words(name)
    if compact in _SECRET_NAMES:
        return True
    if not parts or any(w in _NOT_SECRET_WORDS for w in parts) or _QUALIFIED_NAME.match(name):
        return False
    if len(parts) >= 2 and parts[-1] == "secret" and parts[-2] in _REFERENCED:
        return False
    if compact.endswith("password"):
        return True
    last = parts[-1]
    if last in _SECRET_LAST or (last in _SECRET_NAMES and last != "credentials"):  # `X_DBPASS`
        return True
    if last == "key" and len(parts) >= 2 and parts[-2] in _KEY_QUALIFIERS:
        return True
    return last == "apikey" or last == "secretkey"


# -- file names -----------------------------------------------------------------------------------

_SECRET_FILE = re.compile(
    r"(?:^id_(?:rsa|ed25519|ecdsa|dsa)(?:_sk)?$"
    r"|\.(?:key|p12|pfx|keytab|jks|kdbx|htpasswd|netrc|psk)$"
    r"|^\.?(?:htpasswd|netrc|\.env|authinfo)$"
    # a secret word as the last word of the name, before at most one short extension:
    # `db-password`, `wg_private.key`, `key.pem`, `cloudflare-token.txt` (not `key-handler`,
    # `password-store`, `token-refresh.sh`)
    r"|(?:^|[._-])(?:private|priv|secret|secrets|password|passwd|passphrase|token|credentials?"
    r"|psk|apikey|api[_-]key|privkey|key)(?:\.(?:txt|pem|env|conf|cfg|raw|b64|bin|key|der))?$)",
    re.IGNORECASE,
)
# Encrypted or public files are meant to be in the store (sops files, agenix .age files).
_NOT_SECRET_FILE = re.compile(
    r"\.(?:age|gpg|asc|enc|pub|crt|cer|der|nix|yaml|yml|json|toml|md|sops)$"
    r"|(?:^|[._-])(?:pub|public|cert|certificate|fullchain|chain|ca|known_hosts)(?:[._-]|$)",
    re.IGNORECASE,
)


def is_secret_file_name(basename: str) -> bool:
    """`wg.key`, `id_ed25519`, `db-password`: a file whose contents are a secret."""
    if not basename or _NOT_SECRET_FILE.search(basename):
        return False
    return bool(_SECRET_FILE.search(basename))


def is_store_file_name(basename: str) -> bool:
    """`wg.age`, `secrets.yaml`, `id_ed25519.pub`, `cert.pem`: encrypted or public, meant for
    the store whatever option it is given to."""
    return bool(_NOT_SECRET_FILE.search(basename))


# `…Key` options that take a key file (`sslCertificateKey`, `tlsKey`), besides `_KEY_QUALIFIERS`.
_KEY_FILE_QUALIFIERS = frozenset({"certificate", "cert", "ssl", "tls", "host", "server"})


def is_secret_file_option(name: str) -> bool:
    """`passwordFile`, `privateKeyFile`, `sslCertificateKey`, `environmentFile`, `keyFile`
    (not `hotKey`, `publicKeyFile`, `hashedPasswordFile`)."""
    parts = words(name)
    if "hashed" in parts or "public" in parts or "pub" in parts:
        return False
    if parts and parts[-1] == "key":
        return len(parts) == 1 or parts[-2] in _KEY_QUALIFIERS or parts[-2] in _KEY_FILE_QUALIFIERS
    if len(parts) >= 2 and parts[-1] in ("file", "path"):
        base = parts[:-1]
        return base[-1] in ("key", "credentials", "environment", "secret", "secrets", "htpasswd") \
            or is_secret_name("_".join(base))
    return False
