"""Server settings: `initializationOptions` and the `workspace/configuration` section
"nixls-assist", as dataclasses with defaults parsed by cattrs.

Keys are camelCase on the wire (`skillReferences`), snake_case here. Invalid input never
stops the server: `parse_settings` returns the defaults plus one sentence saying what was
wrong, which the server shows once.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

SECTION = "nixls-assist"


@dataclass(frozen=True)
class Settings:
    # Check every file against this release instead of the one its flake.lock pins
    # (`24.11`, `nixos-24.11`, `unstable`).
    release: str | None = None
    # The flake inputs that carry nixpkgs and home-manager.
    nixpkgs_input: str = "nixpkgs"
    home_manager_input: str = "home-manager"
    # Codes or prefixes to run / skip (`NXA2`), and per-code severity overrides.
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severities: dict[str, str] = field(default_factory=dict)
    # Directories of markdown notes whose `##` sections are shown on hover.
    skill_references: list[str] = field(default_factory=list)
    # Quiet time after an edit before diagnostics are recomputed (a first edit after a
    # quiet period is checked at once).
    diagnostics_delay_ms: int = 150
    completion_limit: int = 200
    # `nix-env` / `nix profile` profiles whose packages the "declare imperatively installed
    # packages" action reads (empty: ~/.nix-profile, ~/.local/state/nix/profile, per-user).
    profiles: list[str] = field(default_factory=list)
    # The formatter's argv (stdin → stdout), e.g. ["nixfmt"]; empty: the first of nixfmt,
    # alejandra, nixpkgs-fmt found on PATH.
    formatting_command: list[str] = field(default_factory=list)
    # Download the pinned nixpkgs / home-manager source when it is neither in the Nix store
    # nor cached (`nixls-assist index fetch --from-lock` in the background), verified against
    # flake.lock's narHash. Off by default: the editor makes no network request unless asked.
    download_sources: bool = False
    # Where source archives come from: a URL template with {owner}, {repo} and {rev}
    # (null: $NIXLS_ASSIST_SOURCE_URL, else GitHub).
    source_url: str | None = None


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


_SNAKE = {_camel(f.name): f.name for f in dataclasses.fields(Settings)}
_SEVERITIES = ("error", "warning", "info")
_CODE = re.compile(r"NXA\d{0,3}")


def _converter():  # type: ignore[no-untyped-def]
    import cattrs
    from cattrs.gen import make_dict_structure_fn, override

    converter = cattrs.Converter(forbid_extra_keys=True)
    # cattrs would coerce ("yes" → 1 for completionLimit); settings must be the type they say.
    for kind in (bool, int, str):
        converter.register_structure_hook(kind, _strict(kind))
    hook = make_dict_structure_fn(
        Settings, converter, _cattrs_forbid_extra_keys=True,
        **{snake: override(rename=camel) for camel, snake in _SNAKE.items()},
    )
    converter.register_structure_hook(Settings, hook)
    return converter


def _strict(kind: type):  # type: ignore[no-untyped-def]
    def structure(value: Any, _: type) -> Any:
        if type(value) is not kind:
            raise TypeError(f"expected {kind.__name__}, got {type(value).__name__} {value!r}")
        return value
    return structure


def parse_settings(raw: Any, base: Settings | None = None) -> tuple[Settings, str | None]:
    """(settings, problem): `raw` over `base` (defaults when None); on any problem the
    result is `base` unchanged and `problem` says what was wrong."""
    base = base or Settings()
    if raw is None:
        return base, None
    if not isinstance(raw, dict):
        return base, f"settings must be an object, got {type(raw).__name__}"
    unknown = sorted(k for k in raw if k not in _SNAKE)
    if unknown:
        return base, f"unknown setting(s): {', '.join(unknown)} (known: {', '.join(_SNAKE)})"
    merged = {_camel(f.name): getattr(base, f.name) for f in dataclasses.fields(Settings)}
    merged.update(raw)
    try:
        settings = _converter().structure(merged, Settings)
    except Exception as exc:  # cattrs raises ClassValidationError groups and plain errors
        return base, f"invalid settings: {_describe(exc)}"
    if (problem := _validate(settings)) is not None:
        return base, problem
    return settings, None


def _validate(settings: Settings) -> str | None:
    from nixls_assist.analysis import normalise_release, release_forms

    if settings.release is not None and normalise_release(settings.release) is None:
        return f"release {settings.release!r}: expected {release_forms()}"
    for code in (*settings.select, *settings.ignore, *settings.severities):
        if not _CODE.fullmatch(code.strip().upper()):
            return f"{code!r} is not a finding code or prefix (like NXA101 or NXA2)"
    for code, severity in settings.severities.items():
        if severity.lower() not in _SEVERITIES:
            return f"severities.{code}: {severity!r} is not one of {', '.join(_SEVERITIES)}"
    if not 0 <= settings.diagnostics_delay_ms <= 10_000:
        return "diagnosticsDelayMs must be between 0 and 10000"
    if settings.completion_limit < 1:
        return "completionLimit must be at least 1"
    url = settings.source_url
    if url is not None and ("{rev}" not in url or not url.startswith(("https://", "http://"))):
        return (f"sourceUrl {url!r}: expected an http(s) URL template with {{rev}}, e.g. "
                "https://github.com/{owner}/{repo}/archive/{rev}.tar.gz")
    return None


def _describe(exc: BaseException) -> str:
    from cattrs.errors import ClassValidationError

    if isinstance(exc, ClassValidationError):
        notes = []
        for inner in exc.exceptions:
            where = next((str(n) for n in getattr(inner, "__notes__", ())), "")
            name = where.removeprefix("Structuring class Settings @ attribute ")
            notes.append(f"{_camel(name)}: {inner}" if where else str(inner))
        return "; ".join(notes)
    return str(exc)
