{ config, pkgs, ... }:

{
  virtualisation.podman = {
    enable = true;
    dockerCompat = true;
    defaultNetwork.settings.dns_enabled = true;
    autoPrune.enable = true;
  };

  virtualisation.oci-containers = {
    backend = "podman";
    containers = {
      homeassistant = {
        image = "ghcr.io/home-assistant/home-assistant:2024.12";
        volumes = [ "/var/lib/hass:/config" "/etc/localtime:/etc/localtime:ro" ];
        environment.TZ = config.time.timeZone;
        extraOptions = [ "--network=host" "--device=/dev/ttyUSB0:/dev/ttyUSB0" ];
      };
      uptime-kuma = {
        image = "louislam/uptime-kuma:1";
        ports = [ "127.0.0.1:3001:3001" ];
        volumes = [ "uptime-kuma:/app/data" ];
      };
    };
  };

  containers.pihole = {
    autoStart = true;
    privateNetwork = true;
    hostAddress = "192.168.100.10";
    localAddress = "192.168.100.11";
    config = { config, pkgs, lib, ... }: {
      services.blocky = {
        enable = true;
        settings = {
          ports.dns = 53;
          upstreams.groups.default = [ "https://one.one.one.one/dns-query" ];
          blocking.denylists.ads = [ "https://raw.githubusercontent.com/StevenBlack/hosts/master/hosts" ];
        };
      };
      networking.firewall.allowedUDPPorts = [ 53 ];
      system.stateVersion = "24.11";
    };
  };

  environment.systemPackages = with pkgs; [ podman-compose dive ];
}
