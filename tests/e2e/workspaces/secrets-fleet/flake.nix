{
  description = "web and db hosts with agenix and sops-nix secrets";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
    home-manager.url = "github:nix-community/home-manager/release-24.11";
  };

  outputs = { self, nixpkgs, ... }@inputs:
    let
      mkHost = name: nixpkgs.lib.nixosSystem {
        system = "x86_64-linux";
        specialArgs = { inherit inputs self; };
        modules = [ ./hosts/common.nix ./hosts/${name} ];
      };
    in {
      nixosConfigurations = {
        web = mkHost "web";
        db = mkHost "db";
      };
    };
}
