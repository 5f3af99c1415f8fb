"""Editor features built on the rules, syntax and option indexes: pure, no LSP types."""
