{ config, lib, pkgs, ... }:

{
  systemd.services.hello = {
    wantedBy = [ "multi-user.target" ];
    serviceConfig.ExecStart = "${pkgs.hello/bin/hello --greeting=hi";
  };
}
