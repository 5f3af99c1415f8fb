"""Where options come from: a downloaded or local options.json (`download`, `compression`,
`importer`), the static extractor over Nix module sources (`extract*`, `hm_source`,
`workspace`), and the exact sources a configuration pins in the Nix store (`nix_store`,
`store_index`, `nix_files`)."""
