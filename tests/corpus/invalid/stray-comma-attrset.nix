{ pkgs, ... }:

{
  users.users.alice = {
    isNormalUser = true,
    extraGroups = [ "wheel" "networkmanager" ];
    shell = pkgs.zsh;
  };

  programs.zsh.enable = true;
}
