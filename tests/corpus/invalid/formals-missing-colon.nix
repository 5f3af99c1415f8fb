{ config, lib, pkgs, ... }

{
  boot.loader.systemd-boot.enable = true;
  networking.hostName = "tiny";
  system.stateVersion = "24.11";
}
