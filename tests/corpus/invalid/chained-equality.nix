{ config, lib, pkgs, ... }:

{
  virtualisation.docker.enable = true;
  virtualisation.podman.enable = false;

  # Meant: both runtimes must not be enabled at once.
  warnings = lib.optional
    (config.virtualisation.docker.enable == config.virtualisation.podman.enable == true)
    "docker and podman are both enabled";

  environment.systemPackages = [ pkgs.docker-compose ];
}
