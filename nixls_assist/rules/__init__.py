"""The rule families. Each module holds one family; every rule is listed here explicitly."""

from nixls_assist.rules import syntax
from nixls_assist.rules.base import Rule

ALL_RULES: tuple[Rule, ...] = (
    syntax.NXA001,
    syntax.NXA003,
)

RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in ALL_RULES}
