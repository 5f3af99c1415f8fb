"""nixls-assist: a release-aware language server and CI checker for Nix configurations."""

__version__ = "0.1.0"
