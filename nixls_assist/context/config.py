"""Project configuration: `.nixls-assist.toml`, discovered upward from each checked file.

Shared by `check` and the language server, so nothing here prints or exits: problems
raise `ConfigError` naming the file, the key and what is allowed.

```toml
release = "24.11"                  # override the release detected from flake.lock
nixpkgs-input = "nixpkgs"          # flake input names that carry nixpkgs / home-manager
home-manager-input = "home-manager"
select = ["NXA1", "NXA2"]          # codes or prefixes to run (default: all)
ignore = ["NXA104"]                # codes or prefixes to skip
exclude = ["generated/**"]         # gitignore-style globs, relative to this file
skill-references = ["docs/notes"]  # directories of markdown notes for hover
fail-on = "warning"                # error | warning | info | never
download = false                   # `check` fetches missing pinned sources (check --download)
source-url = "https://github.com/{owner}/{repo}/archive/{rev}.tar.gz"  # where archives come from

[lock-age]                         # NXA602: days after which a locked nixpkgs is old
info-days = 90
warning-days = 365

[severity]                         # per code (or prefix): error | warning | info
NXA104 = "warning"

[[overrides]]                      # later entries win
paths = ["hosts/legacy/**"]
release = "23.11"
ignore = ["NXA3"]
```
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nixls_assist.context.release import normalise_release, release_forms
from nixls_assist.context.support import LockAge
from nixls_assist.errors import ConfigError
from nixls_assist.findings import Severity
from option_index.sources.nix_files import resolve_file

if TYPE_CHECKING:
    import pathspec  # imported when a config has globs (~40 ms; not at server start)

CONFIG_NAME = ".nixls-assist.toml"
FAIL_ON = ("error", "warning", "info", "never")
SEVERITIES = ("error", "warning", "info")

_TOP_KEYS = ("release", "nixpkgs-input", "home-manager-input", "select", "ignore", "exclude",
             "skill-references", "fail-on", "severity", "overrides", "cache", "lock-age",
             "download", "source-url")
_OVERRIDE_KEYS = ("paths", "release", "ignore")


@dataclass(frozen=True)
class Override:
    """Settings for files matching `paths` (globs relative to the config file)."""

    paths: tuple[str, ...]
    spec: pathspec.PathSpec = field(repr=False, compare=False)
    release: str | None = None
    ignore: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileSettings:
    """What the configuration says about one file."""

    release: str | None
    ignore: tuple[str, ...]
    excluded: bool


@dataclass(frozen=True)
class ProjectConfig:
    path: Path | None  # None: the built-in defaults
    root: Path
    release: str | None = None
    nixpkgs_input: str = "nixpkgs"
    home_manager_input: str = "home-manager"
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    skill_references: tuple[Path, ...] = ()
    fail_on: str | None = None
    severities: dict[str, Severity] = field(default_factory=dict, compare=False)
    overrides: tuple[Override, ...] = ()
    cache: bool = True  # `check` re-uses results of unchanged files (cli/cache.py)
    lock_age: LockAge = field(default_factory=LockAge)
    download: bool = False  # `check` downloads the pinned sources it lacks (`--download`)
    source_url: str | None = None  # archive URL template with {owner}, {repo}, {rev}
    _exclude_spec: pathspec.PathSpec | None = field(default=None, repr=False, compare=False)

    def relative(self, path: Path) -> str | None:
        """`path` relative to the config's directory (posix), or None when outside it."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return None

    def is_excluded(self, path: Path, *, is_dir: bool = False) -> bool:
        if self._exclude_spec is None:
            return False
        relative = self.relative(path)
        if relative is None or self._exclude_spec is None or relative == ".":
            return False
        return self._exclude_spec.match_file(relative + ("/" if is_dir else ""))

    def for_file(self, path: Path | None) -> FileSettings:
        release, ignore = self.release, self.ignore
        relative = self.relative(path) if path is not None and self.overrides else None
        if relative is not None:
            for override in self.overrides:
                if override.spec.match_file(relative):
                    release = override.release or release
                    ignore = ignore + override.ignore
        excluded = path is not None and self.is_excluded(path)
        return FileSettings(release=release, ignore=ignore, excluded=excluded)


def default_config(root: Path) -> ProjectConfig:
    return ProjectConfig(path=None, root=root.resolve())


def load_config(path: Path, known_code: Callable[[str], bool] | None = None) -> ProjectConfig:
    """Read and validate one config file; `known_code(prefix)` checks select/ignore entries."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read configuration ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not valid UTF-8 (byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    return _parse(data, path, known_code or _known_code)


def _known_code(prefix: str) -> bool:
    """Without the rules' list (this layer is below the rules), any code is known; the
    workspace passes the real check."""
    return True


def _parse(data: dict[str, Any], path: Path, known: Callable[[str], bool]) -> ProjectConfig:
    check = _Checker(path, known)
    check.keys(data, _TOP_KEYS, "")
    root = path.resolve().parent
    exclude = check.strings(data, "exclude", "")
    severities: dict[str, Severity] = {}
    table = data.get("severity", {})
    if not isinstance(table, dict):
        raise check.error("severity", "a table like `[severity]` with `NXA104 = \"warning\"`")
    for code, value in table.items():
        check.code(code, f"severity.{code}")
        if value not in SEVERITIES:
            raise check.error(f"severity.{code}", f"one of {', '.join(SEVERITIES)}", value)
        severities[code.upper()] = Severity.parse(value)
    fail_on = data.get("fail-on")
    if fail_on is not None and fail_on not in FAIL_ON:
        raise check.error("fail-on", f"one of {', '.join(FAIL_ON)}", fail_on)
    cache = data.get("cache", True)
    if not isinstance(cache, bool):
        raise check.error("cache", "true or false", cache)
    download = data.get("download", False)
    if not isinstance(download, bool):
        raise check.error("download", "true or false", download)
    return ProjectConfig(
        path=path.resolve(),
        root=root,
        release=check.release(data, "release", ""),
        nixpkgs_input=check.name(data, "nixpkgs-input", "nixpkgs"),
        home_manager_input=check.name(data, "home-manager-input", "home-manager"),
        select=check.codes(data, "select", ""),
        ignore=check.codes(data, "ignore", ""),
        exclude=exclude,
        skill_references=tuple(root / p for p in check.strings(data, "skill-references", "")),
        fail_on=fail_on,
        severities=severities,
        overrides=check.overrides(data.get("overrides", [])),
        cache=cache,
        lock_age=check.lock_age(data.get("lock-age", {})),
        download=download,
        source_url=check.source_url(data.get("source-url")),
        _exclude_spec=_spec(exclude) if exclude else None,
    )


def _spec(globs: tuple[str, ...]) -> pathspec.PathSpec:
    import pathspec

    return pathspec.PathSpec.from_lines("gitwildmatch", globs)


class _Checker:
    """Validation with messages that name the file, the key and what is allowed."""

    def __init__(self, path: Path, known: Callable[[str], bool]) -> None:
        self.path = path
        self.known = known

    def error(self, key: str, allowed: str, got: object = None) -> ConfigError:
        found = "" if got is None else f", got {_show(got)}"
        return ConfigError(f"{self.path}: `{key}`: expected {allowed}{found}")

    def keys(self, table: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
        for key in table:
            if key not in allowed:
                raise ConfigError(f"{self.path}: unknown key `{where}{key}` "
                                  f"(allowed: {', '.join(allowed)})")

    def strings(self, table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.error(where + key, "a list of non-empty strings", value)
        return tuple(value)

    def name(self, table: dict[str, Any], key: str, default: str) -> str:
        value = table.get(key, default)
        if not isinstance(value, str) or not value:
            raise self.error(key, "a flake input name (a non-empty string)", value)
        return value

    def release(self, table: dict[str, Any], key: str, where: str) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        normalised = normalise_release(value) if isinstance(value, str) else None
        if normalised is None:
            raise self.error(where + key, release_forms(), value)
        return normalised

    def source_url(self, value: object) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or "{rev}" not in value or \
                not value.startswith(("https://", "http://", "file://")):
            raise self.error("source-url", "an http(s) URL template with `{rev}` (and usually "
                             "`{owner}`, `{repo}`), e.g. "
                             "\"https://github.com/{owner}/{repo}/archive/{rev}.tar.gz\"",
                             value)
        try:
            value.format(owner="o", repo="r", rev="0" * 40)
        except (KeyError, IndexError, ValueError):
            raise self.error("source-url", "only `{owner}`, `{repo}` and `{rev}` as "
                             "placeholders", value) from None
        return value

    def code(self, code: object, key: str) -> str:
        if not isinstance(code, str) or not code.upper().startswith("NXA") \
                or not self.known(code.upper()):
            raise self.error(key, "a finding code or prefix such as NXA101 or NXA2 "
                             "(see `nixls-assist explain`)", code)
        return code.upper()

    def lock_age(self, value: object) -> LockAge:
        if not isinstance(value, dict):
            raise self.error("lock-age", "a table like `[lock-age]` with `info-days = 90`", value)
        self.keys(value, ("info-days", "warning-days"), "lock-age.")
        days = {}
        for key, default in (("info-days", 90), ("warning-days", 365)):
            number = value.get(key, default)
            if not isinstance(number, int) or isinstance(number, bool) or number < 1:
                raise self.error(f"lock-age.{key}", "a whole number of days (1 or more)", number)
            days[key] = number
        if days["warning-days"] < days["info-days"]:
            raise self.error("lock-age.warning-days", "at least `info-days`",
                             days["warning-days"])
        return LockAge(days["info-days"], days["warning-days"])

    def codes(self, table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
        values = self.strings(table, key, where)
        return tuple(self.code(v, f"{where}{key}") for v in values)

    def overrides(self, value: object) -> tuple[Override, ...]:
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error("overrides", "an array of tables (`[[overrides]]`)", value)
        result = []
        for number, table in enumerate(value):
            where = f"overrides[{number}]."
            self.keys(table, _OVERRIDE_KEYS, where)
            paths = self.strings(table, "paths", where)
            if not paths:
                raise self.error(where + "paths", "a non-empty list of globs")
            result.append(Override(
                paths=paths,
                spec=_spec(paths),
                release=self.release(table, "release", where),
                ignore=self.codes(table, "ignore", where),
            ))
        return tuple(result)


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class ConfigFinder:
    """Finds the `.nixls-assist.toml` that governs a path, caching per directory.

    With `explicit`, that file governs every path (`check --config FILE`).
    Discovery walks up from the file's directory and stops after a repository root
    (a directory holding `.git`).
    """

    def __init__(self, explicit: Path | None = None, cwd: Path | None = None,
                 known_code: Callable[[str], bool] | None = None) -> None:
        self._known = known_code
        self._cwd = (cwd or Path.cwd()).resolve()
        self._files: dict[Path, ProjectConfig] = {}
        self._by_dir: dict[Path, ProjectConfig] = {}
        self._by_path: dict[Path, ProjectConfig] = {}  # as given: no stat, no resolve again
        self._explicit = self._load(explicit) if explicit is not None else None

    def _load(self, path: Path) -> ProjectConfig:
        path = path.resolve()
        if path not in self._files:
            if not path.is_file():
                raise ConfigError(f"{path}: configuration file not found")
            self._files[path] = load_config(path, self._known)
        return self._files[path]

    def for_path(self, path: Path | None) -> ProjectConfig:
        """The config governing `path` (a file or directory); defaults when there is none."""
        if self._explicit is not None:
            return self._explicit
        if path is None:
            return self.for_directory(self._cwd)
        found = self._by_path.get(path)
        if found is None:
            if path.is_dir():
                found = self.for_directory(path.resolve())
            else:
                found = self.for_directory(resolve_file(path).parent)
            self._by_path[path] = found
        return found

    def for_directory(self, directory: Path) -> ProjectConfig:
        if self._explicit is not None:
            return self._explicit
        visited: list[Path] = []
        found: ProjectConfig | None = None
        for candidate in (directory, *directory.parents):
            if candidate in self._by_dir:
                found = self._by_dir[candidate]
                break
            visited.append(candidate)
            config_path = candidate / CONFIG_NAME
            if config_path.is_file():
                found = self._load(config_path)
                break
            if (candidate / ".git").exists():
                break
        if found is None:
            found = default_config(self._cwd)
        for seen in visited:
            self._by_dir[seen] = found
        return found
