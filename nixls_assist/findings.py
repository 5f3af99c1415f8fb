"""The vocabulary every layer shares: findings, fixes and edits over byte spans."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(enum.IntEnum):
    """Ordered so that `severity >= fail_on` works."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.strip().upper()]


class Applicability(enum.Enum):
    """How far a fix may be trusted (ruff's model)."""

    SAFE = "safe"  # meaning and comments kept: `check --fix` applies it
    UNSAFE = "unsafe"  # offered in the editor, never auto-applied
    DISPLAY_ONLY = "display-only"  # shown, not applied


# Immutable by convention, not `frozen`: a frozen dataclass sets each field through
# object.__setattr__, and analyses make thousands of spans per keystroke.
@dataclass(order=True, unsafe_hash=True, slots=True)
class Span:
    """A half-open byte range [start, end) in a document's UTF-8 text."""

    start: int
    end: int

    def contains(self, offset: int) -> bool:
        return self.start <= offset <= self.end


@dataclass(frozen=True)
class Edit:
    span: Span
    new_text: str
    # None: the document the finding belongs to; else a path of another file.
    file: str | None = None


@dataclass(frozen=True)
class Fix:
    title: str
    edits: tuple[Edit, ...]
    applicability: Applicability = Applicability.SAFE


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    span: Span
    message: str
    option: str | None = None
    release: str | None = None
    fixes: tuple[Fix, ...] = ()
    # Other places that belong to the finding (e.g. the first definition of a duplicate).
    related: tuple[tuple[Span, str], ...] = field(default=())

    @property
    def sort_key(self) -> tuple[int, int, str]:
        return (self.span.start, self.span.end, self.code)
