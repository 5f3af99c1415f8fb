{ config, pkgs, ... }:

{
  environment.systemPackages = [
    pkgs.git
    pkgs.neovim
    htop
  ];

  programs.neovim.defaultEditor = true;
}
