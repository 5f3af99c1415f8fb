{
  description = "Home Manager configuration of kenji";

  inputs = {
    nixpkgs.url = "github:nixos/nixpkgs/nixos-unstable";
    home-manager = {
      url = "github:nix-community/home-manager";
      inputs.nixpkgs.follows = "nixpkgs";
    };
    catppuccin.url = "github:catppuccin/nix";
  };

  outputs =
    {
      nixpkgs,
      home-manager,
      catppuccin,
      ...
    }:
    let
      system = "x86_64-linux";
      pkgs = nixpkgs.legacyPackages.${system};
    in
    {
      homeConfigurations."kenji@yuki" = home-manager.lib.homeManagerConfiguration {
        inherit pkgs;

        # ここにモジュールを追加する
        modules = [
          ./home.nix
          catppuccin.homeManagerModules.catppuccin
        ];

        extraSpecialArgs = {
          username = "kenji";
          homeDirectory = "/home/kenji";
        };
      };
    };
}
