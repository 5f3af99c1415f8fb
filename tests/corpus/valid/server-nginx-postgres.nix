{ config, lib, pkgs, ... }:

let
  domain = "example.org";
  acmeEmail = "admin@${domain}";
in
{
  networking.firewall.allowedTCPPorts = [ 22 80 443 ];

  security.acme = {
    acceptTerms = true;
    defaults.email = acmeEmail;
  };

  services.nginx = {
    enable = true;
    recommendedGzipSettings = true;
    recommendedOptimisation = true;
    recommendedProxySettings = true;
    recommendedTlsSettings = true;

    virtualHosts = {
      "${domain}" = {
        forceSSL = true;
        enableACME = true;
        root = "/var/www/${domain}";
      };

      "git.${domain}" = {
        forceSSL = true;
        enableACME = true;
        locations."/" = {
          proxyPass = "http://127.0.0.1:3000";
          proxyWebsockets = true;
          extraConfig = ''
            client_max_body_size 512M;
            proxy_set_header X-Real-IP $remote_addr;
          '';
        };
      };
    };
  };

  services.postgresql = {
    enable = true;
    package = pkgs.postgresql_16;
    ensureDatabases = [ "forgejo" ];
    ensureUsers = [
      {
        name = "forgejo";
        ensureDBOwnership = true;
      }
    ];
    authentication = lib.mkOverride 10 ''
      # type  database  user  auth-method
      local   all       all   peer
      host    all       all   127.0.0.1/32 scram-sha-256
    '';
  };

  services.postgresqlBackup = {
    enable = true;
    databases = [ "forgejo" ];
    startAt = "*-*-* 03:15:00";
  };

  services.forgejo = {
    enable = true;
    database = {
      type = "postgres";
      socket = "/run/postgresql";
    };
    settings.server = {
      DOMAIN = "git.${domain}";
      ROOT_URL = "https://git.${domain}/";
      HTTP_PORT = 3000;
    };
  };
}
