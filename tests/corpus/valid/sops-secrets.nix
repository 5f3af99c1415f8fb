{ config, inputs, ... }:
{
  imports = [ inputs.sops-nix.nixosModules.sops ];

  sops = {
    defaultSopsFile = ../secrets/secrets.yaml;
    defaultSopsFormat = "yaml";
    age.sshKeyPaths = [ "/etc/ssh/ssh_host_ed25519_key" ];

    secrets = {
      "wireguard/private-key" = {
        owner = "systemd-network";
        mode = "0400";
      };
      "grafana/admin-password".owner = config.users.users.grafana.name;
      cloudflare-api-token = { };
    };

    templates."acme.env".content = ''
      CF_DNS_API_TOKEN=${config.sops.placeholder.cloudflare-api-token}
    '';
  };

  security.acme.certs."home.example.net" = {
    dnsProvider = "cloudflare";
    environmentFile = config.sops.templates."acme.env".path;
  };

  services.grafana.settings.security.admin_password = "$__file{${config.sops.secrets."grafana/admin-password".path}}";
}
