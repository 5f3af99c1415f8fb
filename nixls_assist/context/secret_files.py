"""The secret files of a workspace, read without decrypting anything.

agenix keeps one `.age` file per secret and lists them, with their recipients, in a rules
file (`secrets.nix`). sops-nix keeps YAML / JSON / dotenv files whose key names are clear text
and whose metadata sits under `sops`, and `.sops.yaml` says which paths get which keys
(`creation_rules` / `path_regex`). This module reads those facts for the rules of
`rules/secret_registries/`: which files exist, whether a file carries its encryption header or
metadata, the key names of a sops file, the registries. Values are never kept: a sops file is
reduced to its key paths, an `.age` file to its first bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

import yaml

from nixls_assist.syntax.agenix_rules import (
    AgenixRules,
    RulesEntry,
    looks_like_rules_file,
    read_agenix_rules,
)
from nixls_assist.syntax.document import parse

MAX_FILES = 50_000
MAX_READ_BYTES = 1024 * 1024
_SKIPPED_DIRECTORIES = frozenset({".git", "node_modules", ".direnv", "result", ".jj"})
AGE_BINARY = b"age-encryption.org/v1\n"
AGE_ARMORED = b"-----BEGIN AGE ENCRYPTED FILE-----"
_UNREADABLE_MARKERS = (b"\0GITCRYPT\0", b"version https://git-lfs.github.com/spec/")
_READ_SUFFIXES = frozenset({".age", ".yaml", ".yml", ".json", ".env", ".ini"})
_WORD = re.compile(r"[\w.+-]+")


class Encryption(Enum):
    ENCRYPTED = "encrypted"
    PLAIN = "plain"  # readable, and certainly without the header / metadata
    UNKNOWN = "unknown"  # empty, missing, a git-crypt / LFS placeholder, not parseable


@dataclass(frozen=True)
class SopsFile:
    encryption: Encryption
    # Every key path of the data (`("db", "password")`, and its prefix `("db",)`), the
    # metadata excluded; None when the file could not be read as that format.
    keys: frozenset[tuple[str, ...]] | None


@dataclass(frozen=True)
class Registry:
    """An agenix rules file: its path and what it says."""

    path: Path
    rules: AgenixRules

    def entry_for(self, target: Path) -> RulesEntry | None:
        """The first entry whose name resolves to `target` (a resolved path), or None."""
        return next((e for e in self.rules.entries
                     if (self.path.parent / e.name).resolve() == target), None)

    def covers(self, target: Path) -> bool:
        return self.entry_for(target) is not None


@dataclass(frozen=True)
class SopsConfig:
    path: Path
    path_regexes: tuple[str | None, ...] | None  # None: unreadable; an entry None: no regex
    # Per creation rule, its recipients in words (`age: 2 keys`, `key_groups: 2 groups`).
    recipients: tuple[str, ...] = ()

    def covers(self, target: Path) -> bool | None:
        """Whether a creation rule matches `target`; None when that cannot be told."""
        index = self.rule_for(target)
        return index if index is None or isinstance(index, bool) else True

    def rule_for(self, target: Path) -> int | bool | None:
        """The index of the first creation rule matching `target` (sops uses the first);
        False when none does; None when that cannot be told."""
        if self.path_regexes is None or not self.path_regexes:
            return None
        relative = target.relative_to(self.path.parent).as_posix()
        for index, regex in enumerate(self.path_regexes):
            if regex is None:
                return index
            try:
                pattern = re.compile(regex)
            except re.error:
                return None  # a Go regex Python does not read: cannot tell
            if pattern.search(relative) or pattern.search(target.as_posix()):
                return index
        return False


@dataclass
class SecretWorkspace:
    """The files under a workspace root, its registries, and lazily read file facts."""

    root: Path
    files: frozenset[Path]
    registries: tuple[Registry, ...]
    sops_configs: tuple[SopsConfig, ...]
    fingerprint: str  # the non-Nix files (paths, sizes, times) and the registries
    nix_fingerprint: str  # the other .nix files (NXA214 on a rules file depends on them)
    _nix_files: tuple[Path, ...] = ()
    _age: dict[Path, Encryption] = field(default_factory=dict)
    _sops: dict[tuple[Path, str], SopsFile] = field(default_factory=dict)
    _words: frozenset[str] | None = None

    def contains(self, path: Path) -> bool:
        return path == self.root or self.root in path.parents

    def exists(self, path: Path) -> bool | None:
        """Whether the (resolved) file exists; None outside the workspace."""
        if not self.contains(path):
            return None
        return path in self.files or path.is_file()

    def age_encryption(self, path: Path) -> Encryption:
        if path not in self._age:
            self._age[path] = _age_encryption(path)
        return self._age[path]

    def sops_file(self, path: Path, file_format: str) -> SopsFile:
        key = (path, file_format)
        if key not in self._sops:
            self._sops[key] = _sops_file(path, file_format)
        return self._sops[key]

    def registries_over(self, path: Path) -> tuple[Registry, ...]:
        """The agenix rules files in a directory above (or beside) `path`."""
        return tuple(r for r in self.registries if r.path.parent in path.parents)

    def registry_at(self, path: Path) -> Registry | None:
        return next((r for r in self.registries if r.path == path), None)

    def sops_configs_over(self, path: Path) -> tuple[SopsConfig, ...]:
        return tuple(c for c in self.sops_configs if c.path.parent in path.parents)

    def nix_words(self) -> frozenset[str]:
        """The words of every .nix file except the rules files (NXA214 looks names up)."""
        if self._words is None:
            self._words = words_of(self._nix_files)
        return self._words


def words_of(paths: Iterable[Path]) -> frozenset[str]:
    """The words of these files (`wifi.age`, and its parts `wifi`, `age`)."""
    words: set[str] = set()
    for path in paths:
        try:
            text = path.read_bytes()[:MAX_READ_BYTES].decode("utf-8", errors="replace")
        except OSError:
            continue
        for word in _WORD.findall(text):
            words.add(word)
            words.update(re.split(r"[./]", word))
    return frozenset(words)


def scan_secret_files(root: Path) -> SecretWorkspace:
    root = root.resolve()
    files: list[Path] = []
    stats = hashlib.sha256()
    nix_stats = hashlib.sha256()
    registries: list[Registry] = []
    configs: list[SopsConfig] = []
    nix_files: list[Path] = []
    for directory, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRECTORIES
                         and not d.startswith("result-"))
        for name in sorted(names):
            path = Path(directory) / name
            try:
                stat = path.stat()
            except OSError:
                continue
            files.append(path)
            line = f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode()
            if name.endswith(".nix"):
                source = _head(path) if name == "secrets.nix" else None
                if source is not None and looks_like_rules_file(name, source):
                    registries.append(Registry(path, read_agenix_rules(parse(source, str(path)))))
                    stats.update(line)
                else:
                    nix_files.append(path)
                    nix_stats.update(line)
                continue
            # Any file's presence (NXA211), the contents of those the rules read.
            stats.update(line if path.suffix in _READ_SUFFIXES else f"{path}\n".encode())
            if name in (".sops.yaml", ".sops.yml"):
                configs.append(SopsConfig(path, *_creation_rules(path)))
        if len(files) > MAX_FILES:
            break
    return SecretWorkspace(root, frozenset(files), tuple(registries), tuple(configs),
                           stats.hexdigest(), nix_stats.hexdigest(), tuple(nix_files))


def _head(path: Path) -> bytes | None:
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_READ_BYTES)
    except OSError:
        return None


def _age_encryption(path: Path) -> Encryption:
    try:
        with path.open("rb") as handle:
            head = handle.read(64)
    except OSError:
        return Encryption.UNKNOWN
    if head.startswith(AGE_BINARY) or head.lstrip().startswith(AGE_ARMORED):
        return Encryption.ENCRYPTED
    if not head.strip() or head.startswith(_UNREADABLE_MARKERS):
        return Encryption.UNKNOWN
    return Encryption.PLAIN


def _creation_rules(path: Path) -> tuple[tuple[str | None, ...] | None, tuple[str, ...]]:
    data = _load_yaml(path)
    if not isinstance(data, dict):
        return None, ()
    rules = data.get("creation_rules")
    if not isinstance(rules, list):
        return None, ()
    found: list[str | None] = []
    recipients: list[str] = []
    for rule in rules:
        if not isinstance(rule, dict):
            return None, ()
        regex = rule.get("path_regex")
        if regex is not None and not isinstance(regex, str):
            return None, ()
        found.append(regex)
        recipients.append(_recipients(rule))
    return tuple(found), tuple(recipients)


_KEY_SOURCES = ("age", "pgp", "kms", "gcp_kms", "azure_keyvault", "hc_vault_transit_uri")


def _recipients(rule: dict) -> str:
    """A creation rule's recipients in words: `age: 2 keys`, `key_groups: 2 groups (age: 3
    keys)`. Keys are counted, never shown."""
    def count(holder: dict) -> list[str]:
        words = []
        for source in _KEY_SOURCES:
            value = holder.get(source)
            if isinstance(value, str):
                value = [v for v in value.split(",") if v.strip()]
            if isinstance(value, list) and value:
                words.append(f"{source}: {len(value)} key" + ("s" if len(value) > 1 else ""))
        return words

    groups = rule.get("key_groups")
    if isinstance(groups, list) and groups:
        inner = [w for g in groups if isinstance(g, dict) for w in count(g)]
        text = f"key_groups: {len(groups)} group" + ("s" if len(groups) > 1 else "")
        return f"{text} ({', '.join(inner)})" if inner else text
    return ", ".join(count(rule)) or "no recipients named"


def _load_yaml(path: Path) -> object:
    source = _head(path)
    if source is None or len(source) >= MAX_READ_BYTES or source.startswith(_UNREADABLE_MARKERS):
        return None
    try:
        return yaml.safe_load(source)
    except (yaml.YAMLError, ValueError):
        return None


def _sops_file(path: Path, file_format: str) -> SopsFile:
    unknown = SopsFile(Encryption.UNKNOWN, None)
    if file_format == "dotenv":
        source = _head(path)
        if source is None or source.startswith(_UNREADABLE_MARKERS):
            return unknown
        names = {line.split("=", 1)[0].strip()
                 for line in source.decode("utf-8", errors="replace").splitlines()
                 if "=" in line and not line.lstrip().startswith("#")}
        encrypted = any(n.startswith("sops_") for n in names)
        keys = frozenset((n,) for n in names if not n.startswith("sops_"))
        return SopsFile(Encryption.ENCRYPTED if encrypted else Encryption.UNKNOWN, keys)
    if file_format not in ("yaml", "json"):
        return unknown
    if file_format == "json":
        source = _head(path)
        try:
            data = json.loads(source) if source is not None else None
        except ValueError:
            data = None
    else:
        data = _load_yaml(path)
    if not isinstance(data, dict) or not data:
        return unknown
    encrypted = isinstance(data.get("sops"), dict)
    keys: set[tuple[str, ...]] = set()
    _key_paths({k: v for k, v in data.items() if k != "sops"}, (), keys)
    return SopsFile(Encryption.ENCRYPTED if encrypted else Encryption.PLAIN, frozenset(keys))


def _key_paths(data: dict, prefix: tuple[str, ...], found: set[tuple[str, ...]]) -> None:
    for key, value in data.items():
        path = (*prefix, str(key))
        found.add(path)
        if isinstance(value, dict):
            _key_paths(value, path, found)
