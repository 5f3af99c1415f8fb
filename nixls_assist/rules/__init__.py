"""The rule families. Each module holds one family; every rule is listed here explicitly."""

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
from nixls_assist.rules.base import Rule

ALL_RULES: tuple[Rule, ...] = (
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

RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in ALL_RULES}
