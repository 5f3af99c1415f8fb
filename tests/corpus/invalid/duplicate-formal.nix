{ config, pkgs, lib, pkgs, ... }:

{
  environment.systemPackages = with pkgs; [ htop btop ];
  programs.htop.enable = lib.mkDefault true;
}
