final: prev: {
  # pin an older version of a tool that broke our workflow
  terraform = prev.terraform.overrideAttrs (old: rec {
    version = "1.5.7";
    src = prev.fetchFromGitHub {
      owner = "hashicorp";
      repo = "terraform";
      rev = "v${version}";
      hash = "sha256-pIhwJfa71XoW7fYZbE8bL+6+DJC0mqz3hNYu2TqRz0E=";
    };
  });

  waybar = prev.waybar.overrideAttrs (oldAttrs: {
    mesonFlags = oldAttrs.mesonFlags ++ [ "-Dexperimental=true" ];
  });

  python3 = prev.python3.override {
    packageOverrides = pyfinal: pyprev: {
      httpx = pyprev.httpx.overridePythonAttrs (_: { doCheck = false; });
    };
  };

  my-scripts = final.callPackage ../pkgs/my-scripts { };

  discord = prev.discord.override { withOpenASAR = true; withVencord = true; };
}
