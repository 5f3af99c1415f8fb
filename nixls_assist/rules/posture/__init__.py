"""NXA7xx: security posture — what a reviewer checks before a machine goes on the network."""

from nixls_assist.rules.posture.exposed_services import NXA706
from nixls_assist.rules.posture.firewall import NXA703
from nixls_assist.rules.posture.privileges import NXA704, NXA705
from nixls_assist.rules.posture.ssh import NXA701, NXA702

__all__ = ["NXA701", "NXA702", "NXA703", "NXA704", "NXA705", "NXA706"]
