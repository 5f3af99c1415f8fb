{
  description = "two hosts";
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { self, nixpkgs, home-manager, ... }: {
    nixosConfigurations.web = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [
        ./hosts/web
        ({ pkgs, ... }: { services.nginx.enable = true; })
        { networking.hostName = "web"; }
      ];
    };
    homeConfigurations.alice = home-manager.lib.homeManagerConfiguration {
      modules = [ { home.username = "alice"; } ];
    };
    nixosModules.default = { config, ... }: { services.fail2ban.enable = true; };
  };
}
