{ pkgs, ... }:

{
  users.users.bob = {
    isNormalUser = true;
    extraGroups = [ "wheel", "docker", "video" ];
  };

  virtualisation.docker.enable = true;
}
