"""A rule: its code, name, default severity, every other property, and its check function.

Everything a front-end or the engine needs to know about a code is a field of its `Rule`:
nothing outside the rule tests a code (`== "NXA401"`, `startswith("NXA2")`).
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from nixls_assist.findings import Finding, Fix, Severity, Span

if TYPE_CHECKING:
    from nixls_assist.context import FileContext, ReleasePin
    from nixls_assist.syntax.document import ParsedDocument


class FixAvailability(enum.Enum):
    NONE = "none"
    SOMETIMES = "sometimes"
    ALWAYS = "always"


class Tag(enum.Enum):
    """How an editor may render a rule's findings (LSP `DiagnosticTag`)."""

    DEPRECATED = "deprecated"  # struck through: a renamed or removed option
    UNNECESSARY = "unnecessary"  # faded out: code that does nothing


class Indexes(Protocol):
    """Where rules get the option index of a module system at a pinned release."""

    def get(self, system: str, pin: ReleasePin | None) -> object | None: ...


CheckFunction = Callable[["ParsedDocument", "FileContext", "Indexes | None"], Iterator[Finding]]


@dataclass
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    fix: FixAvailability = FixAvailability.NONE
    # Editor rendering of the findings.
    tags: frozenset[Tag] = frozenset()
    # The findings point at a secret: their spans are masked wherever text is shown.
    secret: bool = False
    # Cannot fire without an option index: without one its suppressions are not unused.
    needs_index: bool = False
    # Depends on the machine (git history): a suppression may be idle here and needed
    # elsewhere, so it is never reported as unused.
    environment_dependent: bool = False
    # The options whose hover explains this rule's risk (`*` matches one name).
    options: tuple[str, ...] = ()
    function: CheckFunction | None = field(default=None, repr=False)

    def check(self, function: CheckFunction) -> CheckFunction:
        """Decorator: register `function` as this rule's check."""
        self.function = function
        return function

    @property
    def documentation(self) -> str:
        """The check function's docstring: `explain`, SARIF help and hover text."""
        return inspect.cleandoc(self.function.__doc__ or "") if self.function else ""

    def concerns(self, path: tuple[str, ...]) -> bool:
        """Whether `path` is one of the options this rule judges (for hover)."""
        return any(_matches(pattern.split("."), path) for pattern in self.options)

    def finding(
        self,
        span: Span,
        message: str,
        *,
        option: str | None = None,
        release: str | None = None,
        fixes: tuple[Fix, ...] = (),
        severity: Severity | None = None,
        related: tuple[tuple[Span, str], ...] = (),
    ) -> Finding:
        return Finding(
            code=self.code,
            severity=severity or self.severity,
            span=span,
            message=message,
            option=option,
            release=release,
            fixes=fixes,
            related=related,
        )


def _matches(pattern: list[str], path: tuple[str, ...]) -> bool:
    if len(pattern) != len(path):
        return False
    return all(p in ("*", name) for p, name in zip(pattern, path, strict=True))
