"""NixOS and home-manager options per nixpkgs release: model, sources and on-disk store."""
