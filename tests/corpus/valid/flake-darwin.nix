{
  description = "Darwin system flake";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixpkgs-unstable";
    nix-darwin.url = "github:LnL7/nix-darwin";
    nix-darwin.inputs.nixpkgs.follows = "nixpkgs";
    home-manager.url = "github:nix-community/home-manager";
    home-manager.inputs.nixpkgs.follows = "nixpkgs";
    nix-homebrew.url = "github:zhaofengli-wip/nix-homebrew";
  };

  outputs = inputs@{ self, nix-darwin, nixpkgs, home-manager, nix-homebrew }:
  let
    configuration = { pkgs, ... }: {
      environment.systemPackages = [
        pkgs.vim
        pkgs.mkalias
        pkgs.wezterm
      ];

      homebrew = {
        enable = true;
        casks = [ "firefox" "raycast" "the-unarchiver" ];
        onActivation.cleanup = "zap";
      };

      fonts.packages = [ pkgs.nerd-fonts.jetbrains-mono ];

      system.defaults = {
        dock.autohide = true;
        dock.persistent-apps = [
          "/Applications/Firefox.app"
          "${pkgs.wezterm}/Applications/WezTerm.app"
        ];
        finder.FXPreferredViewStyle = "clmv";
        NSGlobalDomain.AppleInterfaceStyle = "Dark";
      };

      nix.settings.experimental-features = "nix-command flakes";
      programs.zsh.enable = true;
      security.pam.enableSudoTouchIdAuth = true;

      system.configurationRevision = self.rev or self.dirtyRev or null;
      system.stateVersion = 5;
      nixpkgs.hostPlatform = "aarch64-darwin";
    };
  in
  {
    # Build darwin flake using:
    # $ darwin-rebuild build --flake .#MacBook-Air
    darwinConfigurations."MacBook-Air" = nix-darwin.lib.darwinSystem {
      modules = [
        configuration
        nix-homebrew.darwinModules.nix-homebrew
        {
          nix-homebrew = {
            enable = true;
            enableRosetta = true;
            user = "marie";
          };
        }
        home-manager.darwinModules.home-manager
        {
          home-manager.useGlobalPkgs = true;
          home-manager.users.marie = import ./home.nix;
        }
      ];
    };

    darwinPackages = self.darwinConfigurations."MacBook-Air".pkgs;
  };
}
