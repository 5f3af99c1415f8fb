{ config, lib, pkgs, ... }:

let
  syncDir = "${config.home.homeDirectory}/Sync";
in {
  home.activation.createSyncDir = lib.hm.dag.entryAfter [ "writeBoundary" ] ''
    run mkdir -p ${lib.escapeShellArg syncDir}
    run chmod 700 ${lib.escapeShellArg syncDir}
  '';

  home.file.".local/bin/backup-notes" = {
    executable = true;
    text = ''
      #!${pkgs.runtimeShell}
      set -euo pipefail
      ${pkgs.rsync}/bin/rsync -a --delete "$HOME/notes/" "${syncDir}/notes/"
      echo "backed up at $(date +%H:%M)"
    '';
  };

  services.syncthing.enable = true;

  systemd.user.services.notes-backup = {
    Unit.Description = "Back up notes to Sync folder";
    Service = {
      Type = "oneshot";
      ExecStart = "${config.home.homeDirectory}/.local/bin/backup-notes";
    };
  };

  systemd.user.timers.notes-backup = {
    Unit.Description = "Hourly notes backup";
    Timer = {
      OnCalendar = "hourly";
      Persistent = true;
    };
    Install.WantedBy = [ "timers.target" ];
  };

  services.gpg-agent = {
    enable = true;
    enableSshSupport = true;
    pinentryPackage = pkgs.pinentry-curses;
    defaultCacheTtl = 1800;
  };
}
