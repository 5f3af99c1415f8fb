{ config, lib, pkgs, ... }:

let
  domain = "home.example.net";
in
{
  boot.loader.systemd-boot.enable = true;
  boot.loader.efi.canTouchEfiVariables = true;

  fileSystems."/" = {
    device = "/dev/disk/by-label/nixos";
    fsType = "ext4";
  };

  fileSystems."/boot" = {
    device = "/dev/disk/by-label/BOOT";
    fsType = "vfat";
  };

  fileSystems."/srv" = {
    device = "/dev/disk/by-label/data";
    fsType = "xfs";
    options = [ "noatime" ];
  };

  nixpkgs.hostPlatform = "x86_64-linux";

  networking = {
    useDHCP = false;
    interfaces.eno1.ipv4.addresses = [
      {
        address = "192.168.1.10";
        prefixLength = 24;
      }
    ];
    defaultGateway = "192.168.1.1";
    nameservers = [ "192.168.1.1" "9.9.9.9" ];
    firewall.allowedTCPPorts = [ 22 80 443 ];
  };

  sops.secrets."nextcloud/admin-password" = {
    owner = "nextcloud";
  };
  sops.secrets."restic/password" = { };

  security.acme = {
    acceptTerms = true;
    defaults.email = "alice@example.net";
  };

  services.nginx = {
    enable = true;
    recommendedProxySettings = true;
    recommendedTlsSettings = true;
    recommendedGzipSettings = true;

    virtualHosts."grafana.${domain}" = {
      forceSSL = true;
      enableACME = true;
      locations."/" = {
        proxyPass = "http://127.0.0.1:${toString config.services.grafana.settings.server.http_port}";
        proxyWebsockets = true;
      };
    };

    virtualHosts."cloud.${domain}" = {
      forceSSL = true;
      enableACME = true;
    };
  };

  services.postgresql = {
    enable = true;
    package = pkgs.postgresql_16;
    ensureDatabases = [ "nextcloud" "grafana" ];
    ensureUsers = [
      {
        name = "nextcloud";
        ensureDBOwnership = true;
      }
      {
        name = "grafana";
        ensureDBOwnership = true;
      }
    ];
  };

  services.nextcloud = {
    enable = true;
    package = pkgs.nextcloud30;
    hostName = "cloud.${domain}";
    https = true;
    database.createLocally = true;
    config = {
      dbtype = "pgsql";
      adminuser = "alice";
      adminpassFile = config.sops.secrets."nextcloud/admin-password".path;
    };
  };

  services.grafana = {
    enable = true;
    settings = {
      server = {
        http_addr = "127.0.0.1";
        http_port = 3000;
        domain = "grafana.${domain}";
      };
      database = {
        type = "postgres";
        host = "/run/postgresql";
        name = "grafana";
        user = "grafana";
      };
      security.admin_user = "alice";
      security.admin_password = "Sup3rS3cret!";
    };
  };

  services.restic.backups.srv = {
    paths = [ "/srv" "/var/lib/nextcloud" ];
    repository = "/mnt/backup/restic";
    passwordFile = config.sops.secrets."restic/password".path;
    initialize = true;
    timerConfig.OnCalendar = "daily";
  };

  environment.systemPackages = with pkgs; [
    tmux
    restic
    smartmontools
  ];

  system.stateVersion = "24.11";
}
