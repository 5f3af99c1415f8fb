{ config, pkgs, lib, ... }:

{
  home.username = "kenji";
  home.homeDirectory = "/home/kenji";
  home.stateVersion = "24.05";

  home.packages = with pkgs; [
    ripgrep
    fd
    jq
    eza
    bat
    htop
    (nerdfonts.override { fonts = [ "FiraCode" ]; })
  ];

  programs.git = {
    enable = true;
    userName = "Kenji Tanaka";
    userEmail = "kenji@example.jp";
    signing = {
      key = "~/.ssh/id_ed25519.pub";
      signByDefault = true;
    };
    aliases = {
      co = "checkout";
      st = "status -sb";
      lg = "log --graph --oneline --decorate";
    };
    extraConfig = {
      init.defaultBranch = "main";
      pull.rebase = true;
      gpg.format = "ssh";
      core.editor = "nvim";
    };
    ignores = [ ".direnv" "result" "*.swp" ];
    delta.enable = true;
  };

  programs.zsh = {
    enable = true;
    enableCompletion = true;
    autosuggestion.enable = true;
    syntaxHighlighting.enable = true;
    history = {
      size = 50000;
      path = "${config.xdg.dataHome}/zsh/history";
      ignoreDups = true;
    };
    shellAliases = {
      ll = "eza -l --git";
      ".." = "cd ..";
      rebuild = "sudo nixos-rebuild switch --flake ~/nixos#${lib.toLower "YUKI"}";
    };
    initExtra = ''
      # 日本語の入力メソッド
      export GTK_IM_MODULE=fcitx
      bindkey '^R' history-incremental-search-backward
      if [[ -n "''${TERM}" ]]; then
        print -P "%F{green}ようこそ 👋%f"
      fi
    '';
    oh-my-zsh = {
      enable = true;
      plugins = [ "git" "sudo" "z" ];
      theme = "robbyrussell";
    };
  };

  programs.direnv = {
    enable = true;
    nix-direnv.enable = true;
  };

  programs.home-manager.enable = true;
}
