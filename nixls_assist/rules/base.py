"""A rule: its code, name, default severity, fix availability, and its check function."""

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
    function: CheckFunction | None = field(default=None, repr=False)

    def check(self, function: CheckFunction) -> CheckFunction:
        """Decorator: register `function` as this rule's check."""
        self.function = function
        return function

    @property
    def documentation(self) -> str:
        """The check function's docstring: `explain`, SARIF help and hover text."""
        return inspect.cleandoc(self.function.__doc__ or "") if self.function else ""

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
