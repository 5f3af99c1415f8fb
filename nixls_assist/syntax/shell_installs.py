"""Imperative package installs in shell text: `nix-env -i`, `nix-env -iA`, `nix profile install`.

A small, forgiving shell scanner — enough to find simple commands, not a shell parser.
Comments, quoted words and command separators (`;`, `&&`, `||`, `|`, `$( … )`) are
understood; `sudo`, `env`, `exec`, `run` and `$DRY_RUN_CMD` prefixes are looked through.
Offsets are positions in the scanned text; callers scan a latin-1 view of bytes, so
offsets are byte offsets. Characters that stand for Nix interpolations (`\\x01`) make a
word dynamic: it is never reported as a package name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PLACEHOLDER = "\x01"
_PREFIXES = frozenset({"sudo", "doas", "exec", "command", "env", "nice", "nohup", "time",
                       "run", "$DRY_RUN_CMD", "${DRY_RUN_CMD}", "!", "then", "do", "else",
                       "if", "while", "until", "{", "xargs"})
_SUDO_ARG_OPTIONS = frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U"})
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
# nix-env options that take an argument (the argument is never a package).
# Files that are shell scripts, checked for imperative installs (NXA401) only.
SHELL_SUFFIXES = (".sh", ".bash")
_NIX_ENV_ARG_OPTIONS = frozenset({"-f", "--file", "-p", "--profile", "-I", "--include", "-j",
                                  "--max-jobs", "--cores", "--option", "--arg", "--argstr",
                                  "--priority", "--system-filter"})
_NIX_ENV_TWO_ARG_OPTIONS = frozenset({"--option", "--arg", "--argstr"})
_NIX_OPTIONS_WITH_ARG = frozenset({"--profile", "--priority", "--option", "-I", "--include",
                                   "--arg", "--argstr", "-j", "--max-jobs", "--cores",
                                   "--override-input", "--inputs-from", "--file", "-f"})
_NIXPKGS_CHANNELS = frozenset({"nixos", "nixpkgs"})
_NIXPKGS_FILES = frozenset({"<nixpkgs>", "<nixos>", "channel:nixos-unstable",
                            "channel:nixpkgs-unstable"})
_NIXPKGS_FLAKE = re.compile(
    r"^(?:flake:)?nixpkgs(?:/[\w.-]+)?$|^github:nixos/nixpkgs(?:/[\w.-]+)?$", re.IGNORECASE
)
_FLAKE_ATTR_PREFIX = re.compile(r"^(?:legacyPackages|packages)\.[\w-]+\.")
_ATTR = re.compile(r"^[A-Za-z_][\w'-]*(?:\.[A-Za-z_][\w'-]*)*$")
_SEPARATORS = ("&&", "||", ";;", "$(", ";", "|", "&", "(", ")", "`", "\n")


@dataclass(frozen=True)
class PackageRef:
    written: str  # as in the command: `nixos.ripgrep`, `nixpkgs#ripgrep`, `firefox`
    attr: str | None  # attribute path under `pkgs`, when it can be told
    exact: bool  # the attribute is certain (`-A` or `nixpkgs#attr`), not a derivation name


@dataclass(frozen=True)
class ShellInstall:
    start: int  # the command word (after prefixes such as `sudo`)
    end: int  # end of the last word of the command
    command: str  # `nix-env -iA`, `nix-env -i`, `nix profile install`
    packages: tuple[PackageRef, ...]
    line_start: int  # first non-blank character of the command's line
    alone: bool  # the command (with its prefixes) is all there is on its line


@dataclass(frozen=True)
class _Word:
    text: str  # unquoted
    start: int
    end: int


def find_installs(text: str) -> list[ShellInstall]:
    """Every imperative install command in `text` (a shell script or a Nix string's body)."""
    found: list[ShellInstall] = []
    text = re.sub(r"\\\r?\n", lambda m: " " * len(m.group()), text)
    offset = 0
    for line in text.split("\n"):
        found.extend(_scan_line(line, offset))
        offset += len(line) + 1
    return found


def _scan_line(line: str, base: int) -> list[ShellInstall]:
    commands = _commands(line)
    if not commands:
        return []
    line_start = base + (len(line) - len(line.lstrip()))
    results = []
    for words in commands:
        install = _install(words)
        if install is None:
            continue
        start, end, command, packages = install
        first, last = words[0], words[-1]
        alone = len(commands) == 1 and first.start == line_start - base and (
            line[last.end :].strip() in ("", ";")
        )
        results.append(
            ShellInstall(base + start, base + end, command, packages, line_start, alone)
        )
    return results


def _commands(line: str) -> list[list[_Word]]:
    """Split one line into simple commands (lists of words); comments dropped."""
    commands: list[list[_Word]] = [[]]
    i = 0
    length = len(line)
    while i < length:
        char = line[i]
        if char in " \t\r":
            i += 1
            continue
        if char == "#" and (i == 0 or line[i - 1] in " \t;&|("):
            break
        separator = next((s for s in _SEPARATORS if line.startswith(s, i)), None)
        if separator is not None:
            commands.append([])
            i += len(separator)
            continue
        start = i
        parts: list[str] = []
        while i < length and line[i] not in " \t\r;&|()`":
            if line[i] in "'\"":
                quote = line[i]
                close = line.find(quote, i + 1)
                close = length - 1 if close < 0 else close
                parts.append(line[i + 1 : close])
                i = close + 1
            elif line.startswith("$(", i):
                break
            else:
                parts.append(line[i])
                i += 1
        if i == start:
            i += 1
            continue
        commands[-1].append(_Word("".join(parts), start, i))
    return [c for c in commands if c]


def _strip_prefixes(words: list[_Word]) -> list[_Word]:
    i = 0
    while i < len(words):
        word = words[i].text
        if _ASSIGNMENT.match(word) or word in _PREFIXES:
            i += 1
            if word in ("sudo", "doas"):
                while i < len(words) and words[i].text.startswith("-"):
                    i += 2 if words[i].text in _SUDO_ARG_OPTIONS else 1
            continue
        break
    return words[i:]


def _install(words: list[_Word]) -> tuple[int, int, str, tuple[PackageRef, ...]] | None:
    words = _strip_prefixes(words)
    if not words:
        return None
    program = words[0].text.rsplit("/", 1)[-1]
    if program == "nix-env":
        return _nix_env(words)
    if program == "nix" and len(words) >= 3 and words[1].text == "profile" and (
        words[2].text in ("install", "add")
    ):
        packages, installables = _nix_profile_packages(words[3:])
        if installables:
            return words[0].start, words[-1].end, f"nix profile {words[2].text}", packages
    return None


def _nix_env(words: list[_Word]) -> tuple[int, int, str, tuple[PackageRef, ...]] | None:
    install = by_attr = expression = False
    nixpkgs_file: bool | None = None
    names: list[str] = []
    i = 1
    while i < len(words):
        word = words[i].text
        if word in _NIX_ENV_ARG_OPTIONS:
            if word in ("-f", "--file") and i + 1 < len(words):
                nixpkgs_file = words[i + 1].text in _NIXPKGS_FILES
            i += 3 if word in _NIX_ENV_TWO_ARG_OPTIONS else 2
            continue
        if word in ("--install", "--attr"):
            install = install or word == "--install"
            by_attr = by_attr or word == "--attr"
        elif word in ("-E", "--expr"):
            expression = True
        elif re.fullmatch(r"-[A-Za-z]+", word):
            letters = word[1:]
            if letters[0] == "i":
                install = True
            by_attr = by_attr or "A" in letters
            if "f" in letters and i + 1 < len(words):  # `-if <nixpkgs>` clusters
                nixpkgs_file = words[i + 1].text in _NIXPKGS_FILES
                i += 1
        elif word.startswith("-"):
            pass
        else:
            names.append(word)
        i += 1
    if not install or expression or not names:
        return None
    # Dynamic names (`${pkg}`, store paths) are still installs, with nothing to declare.
    packages = tuple(p for p in (_nix_env_package(n, by_attr, nixpkgs_file) for n in names) if p)
    command = "nix-env -iA" if by_attr else "nix-env -i"
    return words[0].start, words[-1].end, command, packages


def _nix_env_package(name: str, by_attr: bool, nixpkgs_file: bool | None) -> PackageRef | None:
    if PLACEHOLDER in name or name.startswith(("$", "/", "./", "~")):
        return None
    if not by_attr:
        pname = _pname(name)
        return PackageRef(name, pname, exact=False) if pname else None
    if not _ATTR.match(name):
        return None
    if nixpkgs_file is not None:  # `-f <nixpkgs> -iA foo`: relative to that file
        return PackageRef(name, name, exact=nixpkgs_file)
    channel, _, rest = name.partition(".")
    if not rest:
        return PackageRef(name, name, exact=False)
    return PackageRef(name, rest, exact=channel in _NIXPKGS_CHANNELS)


def _nix_profile_packages(words: list[_Word]) -> tuple[tuple[PackageRef, ...], int]:
    packages = []
    installables = 0
    i = 0
    while i < len(words):
        word = words[i].text
        if word in _NIX_OPTIONS_WITH_ARG:
            i += 3 if word in ("--option", "--arg", "--argstr", "--override-input") else 2
            continue
        i += 1
        if word.startswith("-"):
            continue
        installables += 1
        if PLACEHOLDER in word or word.startswith("$"):
            continue
        flake, hash_sign, attr = word.partition("#")
        if not hash_sign:
            continue  # a store path or a bare flake: nothing to declare by name
        attr = _FLAKE_ATTR_PREFIX.sub("", attr)
        nixpkgs = _NIXPKGS_FLAKE.match(flake) is not None
        good = bool(attr) and _ATTR.match(attr) is not None
        packages.append(PackageRef(word, attr if good and nixpkgs else None, nixpkgs and good))
    return tuple(packages), installables


def _pname(name: str) -> str | None:
    """`builtins.parseDrvName`: the name part ends at the first `-` followed by a non-letter."""
    if not re.fullmatch(r"[\w.+-]+", name):
        return None
    match = re.search(r"-(?![A-Za-z])", name)
    return name[: match.start()] if match else name
