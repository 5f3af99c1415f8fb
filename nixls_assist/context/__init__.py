"""What a file is and which release it is pinned to."""

from nixls_assist.context.filekind import Classification, FileKind, classify
from nixls_assist.context.release import ReleasePin
from nixls_assist.context.resolver import ContextResolver, FileContext

__all__ = ["Classification", "ContextResolver", "FileContext", "FileKind", "ReleasePin",
           "classify"]
