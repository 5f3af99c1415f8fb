"""The rule families. Each module holds one family; every rule is listed here explicitly."""

from nixls_assist.rules import options, suppressions, syntax
from nixls_assist.rules.base import Rule

ALL_RULES: tuple[Rule, ...] = (
    syntax.NXA001,
    syntax.NXA003,
    suppressions.NXA005,
    options.NXA100,
    options.NXA101,
    options.NXA102,
    options.NXA103,
    options.NXA104,
)

RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in ALL_RULES}
