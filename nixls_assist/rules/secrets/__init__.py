"""NXA2xx: secrets that end up in the world-readable Nix store.

Everything a Nix expression turns into a string or a path is copied to `/nix/store`, which
every user and process on the machine can read. These rules never show a secret's value: a
message names the option and at most the public prefix of a known token format.

One module per rule; `sites` (where secrets hide in a file), `shapes` (what a secret looks
like), `certainty` (error or warning), `file_options` (the `*File` sibling of an option),
`repo_secrets` (secrets attrsets kept in the repository) and `messages` are what they share.
"""

from nixls_assist.rules.secrets.file_in_store import NXA202
from nixls_assist.rules.secrets.literal import NXA201
from nixls_assist.rules.secrets.option_without_file import NXA203

__all__ = ["NXA201", "NXA202", "NXA203"]
