{ config, lib, pkgs, ... }:

{
  home.username = "alice";
  home.homeDirectory = "/home/alice";

  home.packages = with pkgs; [
    fd
    jq
    bat
    eza
    nixfmt-rfc-style
  ];

  programs.git = {
    enable = true;
    userName = "Alice Liddell";
    userEmail = "alice@example.net";
    extraConfig = {
      init.defaultBranch = "main";
      pull.rebase = true;
    };
  };

  programs.zsh = {
    enable = true;
    enableCompletion = true;
    enableAutosuggestions = true;
    syntaxHighlighting.enable = true;
    shellAliases = {
      ll = "eza -l";
      update = "sudo nixos-rebuild switch --flake ~/fleet";
    };
    history.size = 10000;
  };

  programs.starship.enable = true;

  programs.direnv = {
    enable = true;
    nix-direnv.enable = true;
  };

  home.activation.installExtraTools = lib.hm.dag.entryAfter [ "writeBoundary" ] ''
    if ! command -v rg >/dev/null 2>&1; then
      run nix-env -iA nixpkgs.ripgrep
    fi
  '';

  programs.home-manager.enable = true;

  home.stateVersion = "24.11";
}
