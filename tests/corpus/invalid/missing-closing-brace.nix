{ config, lib, pkgs, ... }:

{
  services.nginx = {
    enable = true;
    virtualHosts."blog.example.com" = {
      forceSSL = true;
      enableACME = true;
      locations."/" = {
        root = "/var/www/blog";
        tryFiles = "$uri $uri/ =404";
    };
  };

  security.acme.acceptTerms = true;
  security.acme.defaults.email = "webmaster@example.com";
}
