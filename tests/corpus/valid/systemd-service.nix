{ config, lib, pkgs, ... }:

let
  dataDir = "/var/lib/metrics-exporter";
  port = 9123;
in
{
  users.users.metrics = {
    isSystemUser = true;
    group = "metrics";
    home = dataDir;
  };
  users.groups.metrics = {};

  systemd.tmpfiles.rules = [
    "d ${dataDir} 0750 metrics metrics -"
  ];

  systemd.services.metrics-exporter = {
    description = "Custom metrics exporter";
    wantedBy = [ "multi-user.target" ];
    after = [ "network-online.target" "postgresql.service" ];
    wants = [ "network-online.target" ];
    path = with pkgs; [ coreutils curl ];
    environment = {
      LISTEN_ADDR = "127.0.0.1:${toString port}";
      RUST_LOG = "info";
    };
    script = ''
      exec ${pkgs.prometheus-node-exporter}/bin/node_exporter \
        --web.listen-address=$LISTEN_ADDR \
        --collector.textfile.directory=${dataDir}
    '';
    serviceConfig = {
      User = "metrics";
      Group = "metrics";
      Restart = "on-failure";
      RestartSec = 5;
      DynamicUser = false;
      ProtectSystem = "strict";
      ProtectHome = true;
      PrivateTmp = true;
      NoNewPrivileges = true;
      ReadWritePaths = [ dataDir ];
    };
  };

  services.prometheus = {
    enable = true;
    scrapeConfigs = [{
      job_name = "custom";
      static_configs = [{ targets = [ "127.0.0.1:${toString port}" ]; }];
    }];
  };

  networking.firewall.interfaces."tailscale0".allowedTCPPorts = lib.optional config.services.prometheus.enable config.services.prometheus.port;
}
