"""Where indexes are kept: the SQLite file per (system, release) (`database`), its place in
the user cache directory (`cache`), and placeholder-aware walks over one release's option
tree (`tree`)."""
