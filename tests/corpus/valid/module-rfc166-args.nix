{
  config,
  lib,
  pkgs,
  hostAddress ? "127.0.0.1",
  ...
}@args:
let
  cfg = config.my.monitoring;
  mkScrape =
    {
      name,
      port,
      path ? "/metrics",
    }:
    {
      job_name = name;
      metrics_path = path;
      static_configs = [ { targets = [ "${hostAddress}:${toString port}" ]; } ];
    };
in
{
  options.my.monitoring = {
    enable = lib.mkEnableOption "prometheus + grafana stack";
    exporters = lib.mkOption {
      type = lib.types.attrsOf lib.types.port;
      default = {
        node = 9100;
        postgres = 9187;
      };
      description = "Exporters to scrape, name -> port.";
    };
  };

  config = lib.mkIf cfg.enable {
    services.prometheus = {
      enable = true;
      exporters.node = {
        enable = true;
        enabledCollectors = [ "systemd" ];
      };
      scrapeConfigs = lib.mapAttrsToList (
        name: port:
        mkScrape {
          inherit name port;
        }
      ) cfg.exporters;
    };

    services.grafana = {
      enable = true;
      settings.server = {
        http_addr = hostAddress;
        http_port = 3000;
      };
      provision.datasources.settings.datasources = [
        {
          name = "Prometheus";
          type = "prometheus";
          url = "http://localhost:${toString config.services.prometheus.port}";
          isDefault = true;
        }
      ];
    };

    warnings = lib.optional (!(args ? inputs)) "my.monitoring: no flake inputs passed via specialArgs";
  };
}
