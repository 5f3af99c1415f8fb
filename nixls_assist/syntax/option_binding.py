"""What the binding walk (bindings.py) finds: option definitions, their paths and modules."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from tree_sitter import Node

from nixls_assist.findings import Span
from option_index.paths import show_path


class ModuleSystem(enum.Enum):
    """Which option set a module's definitions belong to."""

    FILE = "file"  # decided by the file's kind (context layer)
    NIXOS = "nixos"
    HOME_MANAGER = "home-manager"
    DARWIN = "nix-darwin"


@dataclass(frozen=True)
class ModuleScope:
    """One module inside a file: the whole file, or a nested module literal."""

    system: ModuleSystem
    span: Span
    origin: str  # how it was found, e.g. "file", "home-manager.users.alice", "nixosSystem modules"


@dataclass(unsafe_hash=True, slots=True)  # immutable by convention (made per keystroke)
class Segment:
    """One attribute name of a path; `name` is None for a dynamic `"${…}"` name."""

    name: str | None
    span: Span
    quoted: bool = False

    @property
    def label(self) -> str:
        return self.name if self.name is not None else "*"


# Identity (eq=False): each binding is one place in one document. Not frozen: a frozen
# dataclass sets each field through object.__setattr__, and hundreds are made per keystroke.
@dataclass(eq=False, slots=True)
class OptionBinding:
    """A definition of the option path `segments` (relative to its module's root)."""

    segments: tuple[Segment, ...]
    scope: ModuleScope
    binding_span: Span  # the whole `a.b = v;` (or the inherited name)
    own_from: int  # segments[own_from:] are written in this binding's own attrpath
    value: Node | None  # None for `inherit`
    is_leaf: bool  # the value was not descended into
    path: tuple[str, ...]  # the segments' names, "*" for a dynamic one

    @property
    def dotted(self) -> str:
        """The path as Nix prints it: `fileSystems."/".device`."""
        return show_path(self.path)

    @property
    def own_span(self) -> Span:
        """The attrpath written in this binding, e.g. `settings.PermitRootLogin`."""
        own = self.segments[self.own_from :]
        return Span(own[0].span.start, own[-1].span.end)
