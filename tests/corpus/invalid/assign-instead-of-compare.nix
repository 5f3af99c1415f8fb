{ config, lib, pkgs, ... }:

let
  cfg = config.my.desktop;
in
{
  options.my.desktop.flavour = lib.mkOption {
    type = lib.types.enum [ "gnome" "plasma" ];
    default = "gnome";
  };

  config = lib.mkIf (cfg.flavour = "gnome") {
    services.xserver.enable = true;
    services.xserver.displayManager.gdm.enable = true;
    services.xserver.desktopManager.gnome.enable = true;
  };
}
