"""NXA6xx: lifecycle and reproducibility — release support, lock age, purity, input sprawl."""

from nixls_assist.rules.lifecycle.end_of_life import NXA601
from nixls_assist.rules.lifecycle.impure_references import NXA603
from nixls_assist.rules.lifecycle.input_sprawl import NXA604
from nixls_assist.rules.lifecycle.old_lock import NXA602

__all__ = ["NXA601", "NXA602", "NXA603", "NXA604"]
