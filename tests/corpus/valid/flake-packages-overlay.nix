{
  description = "Personal package set";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      supportedSystems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = f: nixpkgs.lib.genAttrs supportedSystems (system: f system);
      nixpkgsFor = forAllSystems (system: import nixpkgs {
        inherit system;
        overlays = [ self.overlays.default ];
      });
    in
    {
      overlays.default = final: prev: {
        hello-fancy = final.callPackage ./pkgs/hello-fancy { };
        tmux-sessionizer = final.callPackage ./pkgs/tmux-sessionizer.nix { };
      };

      packages = forAllSystems (system: {
        inherit (nixpkgsFor.${system}) hello-fancy tmux-sessionizer;
        default = self.packages.${system}.hello-fancy;
      });

      nixosModules.hello = { config, lib, pkgs, ... }: {
        options.services.hello-fancy.enable = lib.mkEnableOption "hello-fancy";
        config = lib.mkIf config.services.hello-fancy.enable {
          environment.systemPackages = [ pkgs.hello-fancy ];
        };
      };
    };
}
