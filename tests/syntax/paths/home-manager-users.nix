{ pkgs, ... }:
{
  home-manager.useGlobalPkgs = true;
  home-manager.users.alice = { pkgs, ... }: {
    home.stateVersion = "24.11";
    programs.git = {
      enable = true;
      userName = "Alice";
    };
  };
  home-manager.users.bob = {
    programs.zsh.enable = true;
  };
  home-manager.users.carol = import ./home/carol.nix;
  home-manager.sharedModules = [ { programs.bat.enable = true; } ./home/common.nix ];
  users.users.alice.isNormalUser = true;
}
