{ config, lib, pkgs, ... }:

{
  environment.systemPackages = with pkgs; [
    firefox
    (python3.withPackages (ps: with ps; [ requests numpy ])
    vscode
  ];

  nixpkgs.config.allowUnfree = true;
}
