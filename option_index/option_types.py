"""What an option's type text says about the paths below it.

Type text comes in two vocabularies: the rendered one of options.json ("attribute set of
(submodule)") and the source one the static extractor sees ("types.attrsOf (types.submodule
…)"). Both are classified here, once, so the lookup never guesses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

Submodule = Literal["attrs", "list"] | None

_ATTRS_OF_SUBMODULE = re.compile(
    r"^(?:null or )?\(?(?:lazy )?(?:attribute set of|(?:types\.)?(?:lazy)?[aA]ttrsOf)\b.*submodule"
)
_LIST_OF_SUBMODULE = re.compile(r"^(?:null or )?\(?(?:list of|(?:types\.)?listOf)\b.*submodule")
_PACKAGE = re.compile(r"^(?:null or )?(?:package|(?:types\.)?package)$")


@dataclass(frozen=True, slots=True)
class TypeTraits:
    """freeform: sub-paths are free data. submodule: how the sub-options are mounted."""

    freeform: bool
    submodule: Submodule
    is_package: bool
    declares_children: bool


@lru_cache(maxsize=4096)
def classify_type(text: str | None) -> TypeTraits:
    """Classify a type text. Unknown / missing types count as free: no false alarms below them."""
    t = (text or "").strip()
    if not t or t in {"none", "unspecified value"}:
        return TypeTraits(True, None, False, False)
    is_package = bool(_PACKAGE.match(t))
    has_sub = "submodule" in t
    submodule: Submodule = None
    if _ATTRS_OF_SUBMODULE.match(t):
        submodule = "attrs"
    elif _LIST_OF_SUBMODULE.match(t):
        submodule = "list"
    if "open submodule" in t or "freeform" in t:
        return TypeTraits(True, submodule, is_package, True)
    if has_sub:
        # "attribute set of (submodule)" mounts declared sub-options under <name>; the other
        # alternatives of e.g. "string or (submodule)" are not paths, so not free either.
        return TypeTraits(False, submodule, is_package, True)
    # Below any other option the keys are data of that option ("Starship configuration",
    # "Hyprland configuration value", …) or a type error — never an unknown option.
    return TypeTraits(True, None, is_package, False)
