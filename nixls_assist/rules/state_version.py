"""NXA3xx: `system.stateVersion` / `home.stateVersion` used as if it were an upgrade knob.

`stateVersion` is the release a machine (or a home) was first installed with. Modules use it
to keep stateful defaults (database versions, data directories) stable across upgrades;
changing it upgrades nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from nixls_assist.context import FileContext, FileKind
from nixls_assist.context.release import UNSTABLE, ReleasePin
from nixls_assist.findings import Applicability, Edit, Finding, Fix, Severity
from nixls_assist.rules.base import FixAvailability, Indexes, Rule
from nixls_assist.rules.secrets.sites import is_test_file
from nixls_assist.syntax.bindings import ModuleSystem, OptionBinding, module_bindings
from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.enclosing import in_installer_image
from nixls_assist.syntax.nodes import (
    STRING_KINDS,
    definition_value,
    span,
    static_string,
)

NXA301 = Rule(
    code="NXA301",
    name="state-version-changed",
    severity=Severity.WARNING,
    summary="`stateVersion` differs from the committed version",
    fix=FixAvailability.ALWAYS,
    environment_dependent=True,
)
NXA302 = Rule(
    code="NXA302",
    name="invalid-state-version",
    severity=Severity.WARNING,
    summary="`stateVersion` is newer than the pinned release, malformed, or not a literal",
    fix=FixAvailability.NONE,
)

STATE_VERSION_PATHS = {
    ("system", "stateVersion"): (ModuleSystem.NIXOS, ModuleSystem.DARWIN),
    ("home", "stateVersion"): (ModuleSystem.HOME_MANAGER,),
}
# Releases before the YY.05 / YY.11 rhythm started with 21.05.
_OLD_RELEASES = frozenset({"13.10", "14.04", "14.12", "15.09", "16.03", "16.09", "17.03", "17.09",
                           "18.03", "18.09", "19.03", "19.09", "20.03", "20.09"})
_RELEASE = re.compile(r"(\d{2})\.(\d{2})")
# Expressions that evaluate to the release of the nixpkgs / home-manager being built.
_RUNNING_RELEASE = re.compile(
    r"\b(?:lib\.)?trivial\.(?:release|version)\b|\bsystem\.nixos\.(?:release|version)\b"
    r"|\blib\.version\b|\blib\.trivial\.codeName\b|\bhome\.version\.release\b"
)
_WHY = ("stateVersion is the release this machine was installed with; changing it does not "
        "upgrade anything and may break stateful services (databases, …). To upgrade, change "
        "the nixpkgs input instead")


@dataclass(frozen=True)
class StateVersion:
    binding: OptionBinding
    system: ModuleSystem
    value: Node  # under mkDefault / mkForce
    literal: str | None  # the literal text as written ("24.11", 5), None when computed

    @property
    def key(self) -> tuple[str, str]:
        return (self.binding.scope.origin, self.binding.dotted)


def _system_of(binding: OptionBinding, ctx: FileContext) -> ModuleSystem:
    if binding.scope.system is not ModuleSystem.FILE:
        return binding.scope.system
    return {FileKind.HOME_MANAGER: ModuleSystem.HOME_MANAGER,
            FileKind.DARWIN: ModuleSystem.DARWIN}.get(ctx.kind, ModuleSystem.NIXOS)


def state_versions(doc: ParsedDocument, ctx: FileContext) -> list[StateVersion]:
    """The `system.stateVersion` / `home.stateVersion` definitions of a document."""
    if b"stateVersion" not in doc.source:
        return []
    return doc.cached(("state_versions", ctx.kind), lambda: list(_state_versions(doc, ctx)))


def _state_versions(doc: ParsedDocument, ctx: FileContext) -> Iterator[StateVersion]:
    file_is_module = ctx.kind.is_module
    for binding in module_bindings(doc, file_is_module=file_is_module):
        path = binding.path
        if path[-1] != "stateVersion":
            continue
        system = _system_of(binding, ctx)
        if path[:2] == ("home-manager", "users") and len(path) == 5:
            # `home-manager.users.alice.home.stateVersion = …;` written as one path
            path, system = path[3:], ModuleSystem.HOME_MANAGER
        systems = STATE_VERSION_PATHS.get(path)
        if systems is None or binding.value is None:
            continue
        if system not in systems and not (system is ModuleSystem.NIXOS
                                          and ctx.kind is FileKind.MODULE):
            continue
        value = definition_value(binding.value)
        if value is None:
            continue
        literal = None
        if value.type in STRING_KINDS:
            literal = static_string(value)
        elif value.type in ("integer_expression", "float_expression"):
            literal = doc.node_text(value)
        yield StateVersion(binding, system, value, literal)


@NXA301.check
def state_version_changed(
    doc: ParsedDocument, ctx: FileContext, index: Indexes | None
) -> Iterator[Finding]:
    """`stateVersion` was changed against the committed version of the file.

    ## What it does
    Compares `system.stateVersion` / `home.stateVersion` with the version committed at git
    `HEAD` (in `nixls-assist check`), or with the file as it was on disk when the editor
    opened it. Nothing is evaluated; outside a git repository the check is skipped.

    ## Why is this bad?
    `stateVersion` is the release the machine (or home) was first installed with. Modules
    read it to keep stateful defaults stable: the PostgreSQL major version, data
    directories, database schemas. Raising it does not upgrade anything; it can make a
    service start against data in an old format, or lose track of where its data lives.

    ## Example
    ```nix
    system.stateVersion = "24.11"; # was "23.11"
    ```

    Use instead:
    ```nix
    system.stateVersion = "23.11"; # upgrade by changing the nixpkgs input
    ```

    ## Fix safety
    The fix restores the committed value. It is unsafe (never applied by `--fix`): after a
    deliberate migration of every stateful service a change can be intended.

    ## References
    - https://nixos.org/manual/nixos/stable/options#opt-system.stateVersion
    - https://wiki.nixos.org/wiki/FAQ/When_do_I_update_stateVersion
    """
    if doc.skipped or ctx.baseline is None or ctx.baseline.source == doc.source:
        return
    if b"stateVersion" not in doc.source:
        return
    before = ctx.baseline.doc
    old = {sv.key: sv.literal for sv in state_versions(before, ctx) if sv.literal is not None}
    for sv in state_versions(doc, ctx):
        previous = old.get(sv.key)
        if sv.literal is None or previous is None or previous == sv.literal:
            continue
        written = _as_written(before, sv.key, ctx) or previous
        fix = Fix(f"Restore the committed value `{written}`",
                  (Edit(span(sv.value), written),), Applicability.UNSAFE)
        yield NXA301.finding(
            span(sv.value),
            f"`{sv.binding.dotted}` changed from `{previous}` ({ctx.baseline.label}) to "
            f"`{sv.literal}`: {_WHY}",
            option=sv.binding.dotted,
            fixes=(fix,),
        )


def _as_written(before: ParsedDocument, key: tuple[str, str], ctx: FileContext) -> str | None:
    for sv in state_versions(before, ctx):
        if sv.key == key:
            return before.node_text(sv.value)
    return None


@NXA302.check
def invalid_state_version(
    doc: ParsedDocument, ctx: FileContext, index: Indexes | None
) -> Iterator[Finding]:
    """`stateVersion` is newer than the pinned release, malformed, or follows the running release.

    ## What it does
    Reports a `system.stateVersion` / `home.stateVersion` that is
    - newer than the nixpkgs (home-manager) release the file is pinned to;
    - not a release: `"24.13"`, `"24.11.1"`, the number `2411` or `24.11` instead of the
      string `"24.11"`;
    - set from the running release (`lib.trivial.release`, `config.system.nixos.release`,
      `lib.version`) in a machine configuration.

    Values under `lib.mkDefault` / `mkForce` are checked. Values passed in through
    `specialArgs`, function arguments or `let` are not guessed at. nix-darwin's integer
    `system.stateVersion = 5;` is valid. Third-party options such as
    `mailserver.stateVersion` are not this option. Containers (`containers.<name>.config`)
    are checked as machines of their own; NixOS VM tests may follow the running release.

    Installer and live images have no state to keep: a module that imports (or is listed
    in a `modules` list beside) nixpkgs' `installer/cd-dvd/…`, `installer/sd-card/…` or
    `installer/netboot/…` modules (`installation-cd-minimal.nix`, `iso-image.nix`,
    `sd-image-aarch64.nix`, …), or that sets `isoImage.*` / `sdImage.*`, may set any
    release; only a number where a string is required (which Nix rejects) is reported
    there.

    ## Why is this bad?
    A `stateVersion` newer than the nixpkgs in use, or a malformed one, selects defaults
    that no release ever shipped. One that follows the running release changes silently
    with every nixpkgs update, which is exactly what `stateVersion` exists to prevent:
    stateful services (PostgreSQL, Nextcloud, …) switch formats and data directories under
    the data that is already there.

    ## Example
    ```nix
    system.stateVersion = lib.trivial.release;
    ```

    Use instead:
    ```nix
    system.stateVersion = "23.11"; # the release this machine was installed with
    ```

    ## Fix safety
    No automatic fix: only the machine's history knows the right value (on NixOS,
    `nixos-version` on the day of installation; the first generation's `stateVersion`).

    ## References
    - https://nixos.org/manual/nixos/stable/options#opt-system.stateVersion
    - https://nix-community.github.io/home-manager/options.xhtml#opt-home.stateVersion
    """
    if doc.skipped:
        return
    for sv in state_versions(doc, ctx):
        message = _problem(doc, sv, ctx)
        if message is not None and sv.value.type not in _NUMBER_KINDS \
                and in_installer_image(doc, sv.value):
            continue  # a throwaway live system: stateVersion selects nothing that lasts
        if message is not None:
            yield NXA302.finding(
                span(sv.value), message, option=sv.binding.dotted,
                release=_pin(sv, ctx).release if _pin(sv, ctx) else None,
            )


_NUMBER_KINDS = ("integer_expression", "float_expression")


def _pin(sv: StateVersion, ctx: FileContext) -> ReleasePin | None:
    return ctx.home_manager if sv.system is ModuleSystem.HOME_MANAGER else ctx.nixos


def _problem(doc: ParsedDocument, sv: StateVersion, ctx: FileContext) -> str | None:
    name = f"`{sv.binding.dotted}`"
    if sv.literal is None:
        return _computed_problem(doc, sv, ctx)
    if sv.system is ModuleSystem.DARWIN:
        return None  # nix-darwin: an integer (5, 6); older configs used other shapes
    if sv.value.type not in STRING_KINDS:
        shown = sv.literal
        suggestion = _suggest_string(shown)
        hint = f"; write it as the string `\"{suggestion}\"`" if suggestion else ""
        return f"{name} is the number `{shown}`, not a release string like `\"24.11\"`{hint}"
    match = _RELEASE.fullmatch(sv.literal)
    if match is None or not _is_release(sv.literal):
        return (f"{name} is `{sv.literal}`, which is not a NixOS release (releases are "
                f"`YY.05` and `YY.11`, e.g. `\"24.11\"`)")
    pin = _pin(sv, ctx)
    newest = _newest_allowed(pin)
    if pin is not None and newest is not None and _key(sv.literal) > _key(newest):
        what = "home-manager" if sv.system is ModuleSystem.HOME_MANAGER else "nixpkgs"
        return (f"{name} is `{sv.literal}`, newer than the pinned {what} release "
                f"{pin.label} ({pin.reason}); set it to the release this configuration was "
                f"first installed with, never newer than the {what} it runs")
    return None


def _computed_problem(doc: ParsedDocument, sv: StateVersion, ctx: FileContext) -> str | None:
    text = doc.node_text(sv.value)
    running = _RUNNING_RELEASE.search(text)
    if running is None:
        return None  # a variable, specialArgs, a function argument: don't guess
    if is_test_file(doc, ctx) or sv.binding.scope.origin.startswith("containers."):
        return None  # throwaway VMs and containers may follow the release
    if ctx.kind not in (FileKind.NIXOS, FileKind.HOME_MANAGER, FileKind.DARWIN, FileKind.FLAKE,
                        FileKind.MODULE):
        return None
    return (f"`{sv.binding.dotted}` follows the running release (`{running.group(0)}`), so "
            f"every nixpkgs update silently changes it and stateful services may switch "
            f"formats under existing data; set it to the literal release this machine was "
            f"installed with")


def _is_release(text: str) -> bool:
    if text in _OLD_RELEASES:
        return True
    year, month = _key(text)
    return year >= 21 and month in (5, 11)


def _key(text: str) -> tuple[int, int]:
    year, month = text.split(".")
    return int(year), int(month)


def _newest_allowed(pin: ReleasePin | None) -> str | None:
    """The newest stateVersion a pin can run: its release, or for unstable the next one."""
    if pin is None:
        return None
    if pin.release != UNSTABLE:
        return pin.release if _RELEASE.fullmatch(pin.release) else None
    if pin.date is None:
        return None
    try:
        from option_index.releases import next_release, release_for_date
    except ImportError:
        return None
    return next_release(release_for_date(pin.date))


def _suggest_string(number: str) -> str | None:
    if re.fullmatch(r"\d{2}\.\d{2}", number) and _is_release(number):
        return number
    if re.fullmatch(r"\d{4}", number) and _is_release(f"{number[:2]}.{number[2:]}"):
        return f"{number[:2]}.{number[2:]}"
    return None
