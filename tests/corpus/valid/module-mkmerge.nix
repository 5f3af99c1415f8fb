{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.my.desktop;
  inherit (lib)
    mkEnableOption
    mkOption
    mkIf
    mkMerge
    mkDefault
    mkForce
    types
    ;
in
{
  options.my.desktop = {
    enable = mkEnableOption "graphical desktop";
    flavour = mkOption {
      type = types.enum [
        "gnome"
        "plasma"
        "hyprland"
      ];
      default = "hyprland";
      description = "Which desktop environment to enable.";
    };
    gaming = mkEnableOption "Steam and friends";
  };

  config = mkIf cfg.enable (mkMerge [
    {
      services.pipewire = {
        enable = mkDefault true;
        pulse.enable = true;
      };
      fonts.packages = with pkgs; [
        noto-fonts
        noto-fonts-cjk-sans
        noto-fonts-emoji
      ];
      xdg.portal.enable = true;
    }

    (mkIf (cfg.flavour == "gnome") {
      services.xserver.enable = true;
      services.xserver.displayManager.gdm.enable = true;
      services.xserver.desktopManager.gnome.enable = true;
      environment.gnome.excludePackages = [ pkgs.gnome-tour ];
    })

    (mkIf (cfg.flavour == "plasma") {
      services.desktopManager.plasma6.enable = true;
      services.displayManager.sddm.enable = true;
      services.displayManager.sddm.wayland.enable = true;
    })

    (mkIf (cfg.flavour == "hyprland") {
      programs.hyprland.enable = true;
      programs.hyprland.xwayland.enable = true;
      services.greetd = {
        enable = true;
        settings.default_session.command = "${pkgs.greetd.tuigreet}/bin/tuigreet --time --cmd Hyprland";
      };
      security.pam.services.hyprlock = { };
    })

    (mkIf cfg.gaming {
      programs.steam = {
        enable = true;
        remotePlay.openFirewall = true;
      };
      programs.gamemode.enable = true;
      hardware.graphics.enable32Bit = mkForce true;
    })
  ]);
}
