# TODO: move the printer config here from configuration.nix
# services.printing.enable = true;
# services.printing.drivers = [ pkgs.brlaser ];
