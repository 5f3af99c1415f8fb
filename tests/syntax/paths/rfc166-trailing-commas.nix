{
  config,
  lib,
  pkgs,
  ...
}:
{
  services.openssh.enable = lib.mkDefault true;
  environment.systemPackages = with pkgs; [
    git
    vim
  ];
}
