"""NXA1xx: option definitions checked against the options of the pinned release.

One module per rule; `drift_sites` holds what the drift rules share.
"""

from nixls_assist.rules.options.newer_release import NXA103
from nixls_assist.rules.options.release_unknown import NXA100
from nixls_assist.rules.options.removed import NXA102
from nixls_assist.rules.options.renamed import NXA101
from nixls_assist.rules.options.unknown import NXA104

__all__ = ["NXA100", "NXA101", "NXA102", "NXA103", "NXA104"]
