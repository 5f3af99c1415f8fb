with import <nixpkgs> {}; mkShell { packages = [ go gopls delve ]; }
