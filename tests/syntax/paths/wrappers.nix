{ config, lib, pkgs, ... }:
with lib;
{
  config = mkIf config.services.myapp.enable (mkMerge [
    { services.nginx.enable = true; }
    (lib.mkIf config.services.myapp.tls {
      services.nginx.recommendedTlsSettings = mkDefault true;
      security.acme.acceptTerms = lib.mkForce true;
    })
    {
      boot.kernelParams = mkBefore [ "quiet" ];
      environment.systemPackages = mkAfter [ pkgs.htop ];
      networking.hostName = mkOverride 900 "web";
      services.journald.extraConfig = lib.mkOrder 1500 "SystemMaxUse=1G";
    }
    (lib.mkDefault { time.timeZone = "UTC"; })
  ]);
}
