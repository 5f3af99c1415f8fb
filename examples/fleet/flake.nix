{
  description = "Alice's fleet: a laptop and a small home server";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";

    home-manager = {
      url = "github:nix-community/home-manager/release-24.11";
      inputs.nixpkgs.follows = "nixpkgs";
    };

    sops-nix.url = "github:Mic92/sops-nix";

    flake-utils.url = "github:numtide/flake-utils";
    deploy-rs.url = "github:serokell/deploy-rs";
  };

  outputs =
    {
      self,
      nixpkgs,
      home-manager,
      sops-nix,
      flake-utils,
      deploy-rs,
      ...
    }@inputs:
    let
      mkHost =
        hostName: system:
        nixpkgs.lib.nixosSystem {
          inherit system;
          specialArgs = { inherit inputs; };
          modules = [
            ./modules/common.nix
            ./hosts/${hostName}/configuration.nix
            sops-nix.nixosModules.sops
            home-manager.nixosModules.home-manager
            {
              networking.hostName = hostName;
              home-manager.useGlobalPkgs = true;
              home-manager.useUserPackages = true;
              home-manager.users.alice = import ./home/alice.nix;
            }
          ];
        };
    in
    {
      nixosConfigurations = {
        laptop = mkHost "laptop" "x86_64-linux";
        server = mkHost "server" "x86_64-linux";
      };

      deploy.nodes.server = {
        hostname = "server.home.arpa";
        profiles.system = {
          user = "root";
          path = deploy-rs.lib.x86_64-linux.activate.nixos self.nixosConfigurations.server;
        };
      };

      checks = builtins.mapAttrs (system: deployLib: deployLib.deployChecks self.deploy) deploy-rs.lib;

      devShells = flake-utils.lib.eachDefaultSystemMap (system: {
        default = nixpkgs.legacyPackages.${system}.mkShell {
          packages = [ deploy-rs.packages.${system}.default ];
        };
      });

      formatter.x86_64-linux = nixpkgs.legacyPackages.x86_64-linux.nixfmt-rfc-style;
    };
}
