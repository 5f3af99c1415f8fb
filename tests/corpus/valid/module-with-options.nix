{ config, lib, pkgs, ... }:

with lib;

let
  cfg = config.services.backup-restic;
in
{
  options.services.backup-restic = {
    enable = mkEnableOption "nightly restic backups to B2";

    paths = mkOption {
      type = types.listOf types.str;
      default = [ "/home" "/var/lib" ];
      description = "Directories to back up.";
    };

    repository = mkOption {
      type = types.str;
      example = "b2:my-bucket:/hosts/foo";
      description = "restic repository URL.";
    };

    passwordFile = mkOption {
      type = types.path;
      description = "File containing the repository password.";
    };

    timer = mkOption {
      type = types.str;
      default = "daily";
      description = "systemd OnCalendar expression.";
    };

    pruneOpts = mkOption {
      type = types.listOf types.str;
      default = [ "--keep-daily 7" "--keep-weekly 5" "--keep-monthly 12" ];
      description = "Arguments passed to `restic forget --prune`.";
    };
  };

  config = mkIf cfg.enable {
    assertions = [
      {
        assertion = cfg.paths != [ ];
        message = "services.backup-restic.paths must not be empty";
      }
    ];

    services.restic.backups.b2 = {
      inherit (cfg) paths repository passwordFile pruneOpts;
      initialize = true;
      timerConfig = {
        OnCalendar = cfg.timer;
        Persistent = true;
        RandomizedDelaySec = "1h";
      };
      exclude = [ "/var/lib/docker" "**/.cache" "**/node_modules" ];
    };

    environment.systemPackages = [ pkgs.restic ];
  };
}
