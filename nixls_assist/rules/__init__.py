"""The rule families. Each module holds one family; every rule is listed here explicitly.

The families are imported on first use of `ALL_RULES` or `RULES_BY_CODE`: a `check` whose
files all come from the result cache, or that only resolves contexts, imports no rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nixls_assist.rules.base import Rule

    ALL_RULES: tuple[Rule, ...]
    RULES_BY_CODE: dict[str, Rule]


def _registry() -> tuple[tuple[Rule, ...], dict[str, Rule]]:
    from nixls_assist.rules import (
        flake_inputs,
        imperative,
        lifecycle,
        options,
        posture,
        secret_registries,
        secrets,
        state_version,
        suppressions,
        syntax,
    )

    all_rules: tuple[Rule, ...] = (
        syntax.NXA001,
        syntax.NXA002,
        syntax.NXA003,
        syntax.NXA004,
        suppressions.NXA005,
        options.NXA100,
        options.NXA101,
        options.NXA102,
        options.NXA103,
        options.NXA104,
        secrets.NXA201,
        secrets.NXA202,
        secrets.NXA203,
        secret_registries.NXA211,
        secret_registries.NXA212,
        secret_registries.NXA213,
        secret_registries.NXA214,
        secret_registries.NXA215,
        secret_registries.NXA216,
        state_version.NXA301,
        state_version.NXA302,
        imperative.NXA401,
        flake_inputs.NXA501,
        flake_inputs.NXA502,
        lifecycle.NXA601,
        lifecycle.NXA602,
        lifecycle.NXA603,
        lifecycle.NXA604,
        posture.NXA701,
        posture.NXA702,
        posture.NXA703,
        posture.NXA704,
        posture.NXA705,
        posture.NXA706,
    )
    return all_rules, {rule.code: rule for rule in all_rules}


def __getattr__(name: str) -> Any:
    if name in ("ALL_RULES", "RULES_BY_CODE"):
        all_rules, by_code = _registry()
        globals().update(ALL_RULES=all_rules, RULES_BY_CODE=by_code)
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
