{ pkgs, lib, config, ... }:
let
  isDarwin = pkgs.stdenv.hostPlatform.isDarwin;
  user = config.home.username;
in
{
  home.packages = [ pkgs.coreutils pkgs.gnused ]
    ++ lib.optionals isDarwin [ pkgs.m-cli pkgs.mas ]
    ++ lib.optionals (!isDarwin) [ pkgs.xclip ];

  programs.ssh = {
    enable = true;
    addKeysToAgent = "yes";
    matchBlocks = {
      "github.com" = {
        user = "git";
        identityFile = "~/.ssh/id_ed25519";
      };
      "nas nas.lan" = {
        hostname = "192.168.1.20";
        port = 2222;
        user = user;
        forwardAgent = false;
      };
      "*.internal" = lib.hm.dag.entryBefore [ "*" ] {
        proxyJump = "bastion.example.com";
      };
    };
    extraConfig = lib.optionalString isDarwin ''
      UseKeychain yes
    '';
  };

  programs.starship = {
    enable = true;
    settings = {
      add_newline = false;
      format = lib.concatStrings [ "$directory" "$git_branch" "$nix_shell" "$character" ];
      nix_shell.symbol = "❄️ ";
      character.success_symbol = "[➜](bold green)";
      # float & negative number just to be sure
      command_timeout = 1500;
      scan_timeout = 30;
    };
  };

  programs.tmux = {
    enable = true;
    prefix = "C-a";
    baseIndex = 1;
    escapeTime = 0;
    mouse = true;
    terminal = "tmux-256color";
    extraConfig = ''
      set -g status-right "#(date '+%H:%M') | 中文测试"
      bind r source-file ~/.config/tmux/tmux.conf \; display "reloaded"
    '';
  };

  home.sessionPath = [ "$HOME/.local/bin" ];
  targets.genericLinux.enable = !isDarwin && (config.home.username != "root");
}
