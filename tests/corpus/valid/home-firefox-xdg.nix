{ config, pkgs, ... }:
{
  programs.firefox = {
    enable = true;
    profiles.default = {
      id = 0;
      isDefault = true;
      search = {
        default = "DuckDuckGo";
        force = true;
        engines = {
          "Nix Packages" = {
            urls = [{
              template = "https://search.nixos.org/packages";
              params = [
                { name = "channel"; value = "unstable"; }
                { name = "query"; value = "{searchTerms}"; }
              ];
            }];
            icon = "${pkgs.nixos-icons}/share/icons/hicolor/scalable/apps/nix-snowflake.svg";
            definedAliases = [ "@np" ];
          };
          "Bing".metaData.hidden = true;
        };
      };
      settings = {
        "browser.startup.homepage" = "about:blank";
        "browser.newtabpage.activity-stream.showSponsored" = false;
        "privacy.trackingprotection.enabled" = true;
        "media.ffmpeg.vaapi.enabled" = true;
        "signon.rememberSignons" = false;
      };
      userChrome = ''
        /* hide tab bar, using Sidebery */
        #TabsToolbar { visibility: collapse !important; }
      '';
    };
    policies = {
      DisableTelemetry = true;
      DisablePocket = true;
      ExtensionSettings."uBlock0@raymondhill.net" = {
        installation_mode = "force_installed";
        install_url = "https://addons.mozilla.org/firefox/downloads/latest/ublock-origin/latest.xpi";
      };
    };
  };

  xdg = {
    enable = true;
    userDirs = {
      enable = true;
      createDirectories = true;
      download = "${config.home.homeDirectory}/Downloads";
      pictures = "${config.home.homeDirectory}/Pictures";
      extraConfig.XDG_SCREENSHOTS_DIR = "${config.home.homeDirectory}/Pictures/Screenshots";
    };
    mimeApps = {
      enable = true;
      defaultApplications = {
        "text/html" = "firefox.desktop";
        "x-scheme-handler/http" = "firefox.desktop";
        "x-scheme-handler/https" = "firefox.desktop";
        "application/pdf" = [ "org.pwmt.zathura.desktop" "firefox.desktop" ];
      };
    };
    configFile."wezterm/wezterm.lua".source = ./dotfiles/wezterm.lua;
    configFile."starship.toml".text = ''
      add_newline = false
      [character]
      success_symbol = "[❯](bold green)"
    '';
  };
}
