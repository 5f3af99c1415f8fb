{
  pkgs ? import <nixpkgs> { },
}:
let
  python = pkgs.python312.withPackages (
    ps: with ps; [
      numpy
      pandas
      matplotlib
      jupyterlab
    ]
  );
in
pkgs.mkShellNoCC {
  packages = [
    python
    pkgs.ruff
    pkgs.uv
  ];
  env.UV_PYTHON_DOWNLOADS = "never";
}
