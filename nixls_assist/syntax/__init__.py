"""Parsing Nix with tree-sitter and resolving bindings to option paths."""

from nixls_assist.syntax.document import ParsedDocument, parse
from nixls_assist.syntax.positions import LineIndex

__all__ = ["LineIndex", "ParsedDocument", "parse"]
