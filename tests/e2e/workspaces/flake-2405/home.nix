{ config, pkgs, ... }:

{
  home.username = "alice";
  home.homeDirectory = "/home/alice";

  programs.git = {
    enable = true;
    userName = "Alice";
    userEmail = "alice@example.org";
  };

  programs.bash.enable = true;

  home.stateVersion = "24.05";
}
