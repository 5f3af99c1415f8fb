{
  config,
  lib,
  pkgs,
  ...
}:
let
  mod = "SUPER";
  workspaces = builtins.genList (i: i + 1) 9;
in
{
  wayland.windowManager.hyprland = {
    enable = true;
    systemd.enable = true;
    settings = {
      "$mod" = mod;
      "$terminal" = "kitty";
      monitor = [
        "eDP-1,2560x1600@165,0x0,1.6"
        ",preferred,auto,1"
      ];
      exec-once = [
        "waybar"
        "${pkgs.swaynotificationcenter}/bin/swaync"
        "hyprctl setcursor Bibata-Modern-Ice 24"
      ];
      general = {
        gaps_in = 4;
        gaps_out = 8;
        border_size = 2;
        "col.active_border" = "rgba(89b4faee) rgba(cba6f7ee) 45deg";
        layout = "dwindle";
      };
      decoration = {
        rounding = 8;
        blur.enabled = true;
      };
      input = {
        kb_layout = "us,de";
        kb_options = "grp:alt_shift_toggle,caps:escape";
        touchpad.natural_scroll = true;
      };
      bind =
        [
          "$mod, Return, exec, $terminal"
          "$mod, Q, killactive,"
          "$mod, F, fullscreen,"
          "$mod, D, exec, ${lib.getExe pkgs.fuzzel}"
          ", Print, exec, ${lib.getExe pkgs.grimblast} copy area"
        ]
        ++ (builtins.concatMap (
          n:
          let
            ws = toString n;
          in
          [
            "$mod, ${ws}, workspace, ${ws}"
            "$mod SHIFT, ${ws}, movetoworkspacesilent, ${ws}"
          ]
        ) workspaces);
      bindm = [
        "$mod, mouse:272, movewindow"
        "$mod, mouse:273, resizewindow"
      ];
      windowrulev2 = [
        "float, class:^(pavucontrol)$"
        "opacity 0.9 0.85, class:^(kitty)$"
      ];
    };
  };

  programs.kitty = {
    enable = true;
    font = {
      name = "JetBrainsMono Nerd Font";
      size = 11;
    };
    settings.confirm_os_window_close = 0;
  };

  home.sessionVariables = {
    NIXOS_OZONE_WL = "1";
    XCURSOR_SIZE = "24";
  };

  services.hypridle.enable = config.wayland.windowManager.hyprland.enable;
}
