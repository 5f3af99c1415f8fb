{ inputs, ... }:
{
  additions = final: _prev: import ../pkgs { pkgs = final; };

  modifications = final: prev: {
    ffmpeg-full = prev.ffmpeg-full.override {
      withUnfree = true;
    };
    mpv = prev.mpv.override {
      scripts = with final.mpvScripts; [
        uosc
        thumbfast
        sponsorblock
      ];
    };
  };

  unstable-packages = final: _prev: {
    unstable = import inputs.nixpkgs-unstable {
      system = final.system;
      config.allowUnfree = true;
    };
  };
}
