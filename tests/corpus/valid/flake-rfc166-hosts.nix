{
  description = "Homelab";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
    disko = {
      url = "github:nix-community/disko";
      inputs.nixpkgs.follows = "nixpkgs";
    };
    sops-nix = {
      url = "github:Mic92/sops-nix";
      inputs.nixpkgs.follows = "nixpkgs";
    };
    deploy-rs.url = "github:serokell/deploy-rs";
  };

  outputs =
    {
      self,
      nixpkgs,
      disko,
      sops-nix,
      deploy-rs,
      ...
    }@inputs:
    let
      inherit (nixpkgs) lib;
      hosts = {
        atlas = {
          system = "x86_64-linux";
          address = "10.0.10.2";
        };
        hermes = {
          system = "aarch64-linux";
          address = "10.0.10.3";
        };
      };
      mkSystem =
        name:
        {
          system,
          address,
        }:
        lib.nixosSystem {
          inherit system;
          specialArgs = {
            inherit inputs;
            hostAddress = address;
          };
          modules = [
            disko.nixosModules.disko
            sops-nix.nixosModules.sops
            ./hosts/${name}
            { networking.hostName = name; }
          ];
        };
    in
    {
      nixosConfigurations = lib.mapAttrs mkSystem hosts;

      deploy.nodes = lib.mapAttrs (name: host: {
        hostname = host.address;
        profiles.system = {
          sshUser = "root";
          path = deploy-rs.lib.${host.system}.activate.nixos self.nixosConfigurations.${name};
        };
      }) hosts;

      checks = builtins.mapAttrs (
        system: deployLib: deployLib.deployChecks self.deploy
      ) deploy-rs.lib;
    };
}
