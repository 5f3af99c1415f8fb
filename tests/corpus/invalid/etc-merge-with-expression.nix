{ config, lib, pkgs, ... }:

let
  people = {
    alice = { email = "alice@example.com"; editor = "nvim"; };
    "bob.smith" = { email = "bob@example.com"; editor = "hx"; };
  };
  mkHome = name: person: {
    home.username = name;
    home.homeDirectory = "/home/${name}";
    home.stateVersion = "24.11";
    programs.git = {
      enable = true;
      userName = name;
      userEmail = person.email;
    };
    home.sessionVariables.EDITOR = person.editor;
  };
in
{
  home-manager.users = lib.mapAttrs mkHome people;

  users.users = lib.mapAttrs' (name: _: lib.nameValuePair name {
    isNormalUser = true;
    extraGroups = [ "users" ];
  }) people;

  environment.etc = lib.listToAttrs (map (name: {
    name = "motd.d/${name}";
    value.text = "Willkommen, ${name} ✨";
  }) (builtins.attrNames people));

  # keep attribute names that need quoting
  environment.etc."ssh/ssh_known_hosts.d/github".text = ''
    github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl
  '';
  programs.${if config.services.xserver.enable then "firefox" else "w3m"}.enable = lib.mkDefault true;
}
