{ config, pkgs, ... }:

let
  domain = "cloud.example.org";
  adminEmail = "admin@example.org";

{
  services.nextcloud = {
    enable = true;
    hostName = domain;
    package = pkgs.nextcloud30;
    https = true;
    config.adminpassFile = "/run/secrets/nextcloud-admin";
  };

  security.acme.defaults.email = adminEmail;
}
