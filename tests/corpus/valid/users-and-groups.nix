{ config, pkgs, lib, ... }:
let
  admins = [ "alice" "bob" ];
  keys = {
    alice = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIM2gq5Tz8dXw0y7kP4rLfNvB6sJ3aH1cE9uQ2iW5oZtY alice@laptop";
    bob = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBv7Q9sX3mN1kL5pR8tY2wZ6cF0aH4jD7uE9iO1gK3nT bob@desk";
  };
  mkAdmin = name: {
    isNormalUser = true;
    extraGroups = [ "wheel" "docker" "libvirtd" ];
    shell = pkgs.fish;
    openssh.authorizedKeys.keys = [ keys.${name} ];
  };
in
{
  users.mutableUsers = false;
  users.users = lib.genAttrs admins mkAdmin // {
    root.hashedPassword = "!";
    backup = {
      isSystemUser = true;
      group = "backup";
      home = "/var/lib/backup";
      createHome = true;
    };
  };
  users.groups.backup = { };

  programs.fish.enable = true;
  virtualisation.docker.enable = true;
  virtualisation.libvirtd.enable = lib.elem "alice" admins;

  security.sudo.extraRules = [{
    users = [ "backup" ];
    commands = [{ command = "${pkgs.rsync}/bin/rsync"; options = [ "NOPASSWD" ]; }];
  }];
}
