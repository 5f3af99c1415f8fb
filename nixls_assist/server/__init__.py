"""The language server (pygls): the only layer that speaks LSP."""
