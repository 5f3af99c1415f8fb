"""`nixls-assist explain CODE`: what a finding means, why it matters, how to fix it."""

from __future__ import annotations

import argparse
import re
from typing import TextIO

from nixls_assist.errors import ConfigError
from nixls_assist.rules import ALL_RULES, RULES_BY_CODE
from nixls_assist.rules.base import Rule

SECTION = re.compile(r"^##\s+(?P<title>.+?)\s*$", re.MULTILINE)
URL = re.compile(r"https?://[^\s)>\]`]+")


def add_explain_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "explain", help="explain a finding code (what, why, how to fix)",
        description="Explain a finding code. Without a code, list every code.",
    )
    parser.add_argument("code", nargs="?", help="a finding code such as NXA101, or its name")
    parser.set_defaults(handler=run_explain)


def run_explain(args: argparse.Namespace, out: TextIO) -> int:
    if args.code is None:
        for rule in ALL_RULES:
            out.write(f"{rule.code}  {rule.name:<28} [{rule.severity.label}]  {rule.summary}\n")
        return 0
    rule = find_rule(args.code)
    out.write(render(rule))
    return 0


def find_rule(text: str) -> Rule:
    wanted = text.strip()
    rule = RULES_BY_CODE.get(wanted.upper())
    if rule is None:
        rule = next((r for r in ALL_RULES if r.name == wanted.lower()), None)
    if rule is None:
        raise ConfigError(f"unknown finding code {text!r}; `nixls-assist explain` lists them all")
    return rule


def sections(rule: Rule) -> tuple[str, dict[str, str]]:
    """The docstring's first paragraph and its `## Title` sections."""
    doc = rule.documentation
    matches = list(SECTION.finditer(doc))
    head = doc[: matches[0].start()].strip() if matches else doc.strip()
    parts = {}
    for number, match in enumerate(matches):
        end = matches[number + 1].start() if number + 1 < len(matches) else len(doc)
        parts[match["title"]] = doc[match.end() : end].strip()
    return head, parts


def help_uri(rule: Rule) -> str | None:
    """The first web link of the rule's References section."""
    _, parts = sections(rule)
    match = URL.search(parts.get("References", ""))
    return match.group().rstrip(".,;") if match else None


def render(rule: Rule) -> str:
    head, parts = sections(rule)
    lines = [
        f"{rule.code} {rule.name} [{rule.severity.label}]",
        "",
        rule.summary[:1].upper() + rule.summary[1:] + ".",
        f"Automatic fix: {rule.fix.value}.",
        "",
    ]
    if head:
        lines += [head, ""]
    for title, body in parts.items():
        lines += [f"## {title}", body, ""]
    if not parts:
        lines += ["(this rule has no documentation yet)", ""]
    return "\n".join(lines)
