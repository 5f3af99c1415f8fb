"""The data model: options, drift records and lookup outcomes (plain frozen values)."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Literal

from option_index.option_types import Submodule, classify_type

DriftKind = Literal["renamed", "removed", "changed", "alias", "merged", "deprecated"]


class Lookup(enum.Enum):
    """Outcome of looking a path up in one release's option set."""

    FOUND = "found"  # an option (possibly through <name>/* placeholders)
    UNDER_FREEFORM = "under-freeform"  # below an option whose value is free data
    PREFIX = "prefix"  # an attribute set of options, e.g. services.openssh
    UNKNOWN = "unknown"  # the index knows this namespace and has no such path
    NOT_INDEXED = "not-indexed"  # the index cannot judge (unknown top level, or no option set)


@dataclass(frozen=True, slots=True)
class Option:
    """One declared option. `path` is printed with placeholders (`users.users.<name>.uid`)."""

    path: str
    type: str
    read_only: bool = False
    default: str | None = None
    example: str | None = None
    description: str | None = None
    declarations: tuple[str, ...] = ()
    freeform: bool = False
    submodule: Submodule = None
    is_package: bool = False

    @classmethod
    def with_traits(cls, path: str, type: str, **fields: object) -> Option:
        """Build an option whose markers are derived from its type text."""
        traits = classify_type(type)
        return cls(
            path=path,
            type=type,
            freeform=traits.freeform,
            submodule=traits.submodule,
            is_package=traits.is_package,
            **fields,  # type: ignore[arg-type]
        )


_LINE_SUFFIX = re.compile(r":([1-9][0-9]*)$")


def split_declaration(text: str) -> tuple[str, int | None]:
    """A declaration as the extractor writes it, `…/sshd.nix:42`, as (file, 1-based line);
    a declaration without a line (options.json's) gives (text, None)."""
    match = _LINE_SUFFIX.search(text)
    if match is None:
        return text, None
    return text[: match.start()], int(match.group(1))


@dataclass(frozen=True, slots=True)
class DriftRecord:
    """A rename / removal of an option path, with how sure we are of its release.

    `release` is the first release the record applies to; with `release_window` set it is an
    upper bound (the change may be older). `path_inferred` paths are reconstructions: never an
    error. `chain` lists intermediate paths when renames were followed (a -> b -> c).
    """

    kind: DriftKind
    from_path: str
    to_path: str | None
    release: str
    message: str
    release_inferred: bool = False
    release_window: str | None = None
    path_inferred: bool = False
    unreleased: bool = False
    source: str = ""
    reintroduced: str | None = None
    warns_from: str | None = None
    releases: tuple[str, ...] = ()
    chain: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Typo:
    """An unknown name that is a slip of a declared sibling (`services.openssh.enabel`).

    `unknown` is the path up to the misspelt name, `suggestion` the whole path with the
    sibling in its place, `how` one of "case", "plural", "spelling". `against` names the
    option set that was asked when it is not the pinned release's own (a reference set).
    """

    unknown: tuple[str, ...]
    suggestion: tuple[str, ...]
    how: str
    against: str | None = None
