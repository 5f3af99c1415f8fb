{ lib, stdenvNoCC, makeWrapper, bash, coreutils, gnugrep, jq, curl, enableNotify ? true, libnotify ? null }:

assert enableNotify -> libnotify != null;

stdenvNoCC.mkDerivation {
  pname = "weather-cli";
  version = "1.0.0";

  src = ./weather.sh;
  dontUnpack = true;

  nativeBuildInputs = [ makeWrapper ];

  installPhase = ''
    runHook preInstall
    install -Dm755 $src $out/bin/weather
    wrapProgram $out/bin/weather \
      --prefix PATH : ${lib.makeBinPath ([ bash coreutils gnugrep jq curl ] ++ lib.optional enableNotify libnotify)}
    runHook postInstall
  '';

  # '' escapes: literal ${HOME} and a literal pair of single quotes
  passthru.exampleConfig = ''
    CITY=Zürich
    CACHE=''${HOME}/.cache/weather
    QUOTE='''hello'''
    TAB=''\t
  '';

  meta = {
    description = "Tiny wrapper around wttr.in";
    license = lib.licenses.unlicense;
    platforms = lib.platforms.all;
  };
}
