{ pkgs, ... }:

{
  home.packages = with pkgs [
    ripgrep
    fd
    bat
  ];

  programs.bat.enable = true;
}
