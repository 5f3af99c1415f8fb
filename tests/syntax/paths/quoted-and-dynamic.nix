{ config, lib, ... }:
let
  user = "alice";
in
{
  fileSystems."/".device = "/dev/disk/by-label/nixos";
  fileSystems."/boot" = { device = "/dev/disk/by-label/boot"; fsType = "vfat"; };
  boot.kernel.sysctl."net.ipv4.ip_forward" = 1;
  users.users.${user}.extraGroups = [ "wheel" ];
  users.users."${user}-admin".isNormalUser = true;
  services.nginx.virtualHosts."example.org".locations."/".proxyPass = "http://127.0.0.1:3000";
}
