{ config, pkgs, ... }:

{
  networking.hostName = "media-server";
  time.timeZone = "America/New_York;

  services.jellyfin = {
    enable = true;
    openFirewall = true;
  };

  users.users.jellyfin.extraGroups = [ "video" "render" ];
}
