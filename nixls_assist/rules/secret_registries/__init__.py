"""NXA211–216: secret registries that agree with the configuration (agenix, ragenix,
agenix-rekey, sops-nix). One module per rule; the files are read by `context/secret_files.py`
and the references found by `references.py`."""

from nixls_assist.rules.secret_registries.missing_file import NXA211
from nixls_assist.rules.secret_registries.missing_sops_key import NXA213
from nixls_assist.rules.secret_registries.undecryptable import NXA216
from nixls_assist.rules.secret_registries.unencrypted_file import NXA215
from nixls_assist.rules.secret_registries.unregistered_file import NXA212
from nixls_assist.rules.secret_registries.unused_entry import NXA214

__all__ = ["NXA211", "NXA212", "NXA213", "NXA214", "NXA215", "NXA216"]
