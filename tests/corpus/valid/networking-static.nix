{ config, lib, ... }:

{
  networking = {
    hostName = "edge-01";
    domain = "lan.example.net";
    useDHCP = false;
    useNetworkd = true;

    interfaces.enp3s0.ipv4.addresses = [{
      address = "192.168.10.5";
      prefixLength = 24;
    }];
    interfaces.enp3s0.ipv6.addresses = [{
      address = "2001:db8:10::5";
      prefixLength = 64;
    }];

    defaultGateway = { address = "192.168.10.1"; interface = "enp3s0"; };
    defaultGateway6 = { address = "fe80::1"; interface = "enp3s0"; };
    nameservers = [ "1.1.1.1" "9.9.9.9" "2606:4700:4700::1111" ];

    nat = {
      enable = true;
      internalInterfaces = [ "wg0" ];
      externalInterface = "enp3s0";
    };

    firewall = {
      enable = true;
      allowedTCPPorts = [ 22 ];
      allowedUDPPorts = [ config.networking.wireguard.interfaces.wg0.listenPort ];
      trustedInterfaces = [ "wg0" ];
      extraCommands = ''
        iptables -t nat -A POSTROUTING -s 10.100.0.0/24 -o enp3s0 -j MASQUERADE
      '';
    };

    wireguard.interfaces.wg0 = {
      ips = [ "10.100.0.1/24" ];
      listenPort = 51820;
      privateKeyFile = "/var/lib/wireguard/private.key";
      peers = [
        { # phone
          publicKey = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=";
          allowedIPs = [ "10.100.0.2/32" ];
        }
        { # laptop
          publicKey = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";
          allowedIPs = [ "10.100.0.3/32" ];
        }
      ];
    };
  };

  boot.kernel.sysctl = {
    "net.ipv4.ip_forward" = 1;
    "net.ipv6.conf.all.forwarding" = 1;
    "net.core.default_qdisc" = "fq";
    "net.ipv4.tcp_congestion_control" = "bbr";
  };

  services.resolved = {
    enable = true;
    dnssec = "allow-downgrade";
    fallbackDns = lib.mkForce [ ];
  };
}
