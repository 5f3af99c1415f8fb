{ config, ... }:
{
  networking.hostName = "web";
  sops.defaultSopsFile = ./secrets.yaml;
  sops.secrets."nginx/basic-auth" = { owner = "nginx"; };
  sops.secrets.acme-token = { };
  services.nginx.enable = true;
}
