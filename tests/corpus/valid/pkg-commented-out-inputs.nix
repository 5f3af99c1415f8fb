{
  lib,
  stdenv,
  fetchFromGitHub,
  cmake,
  pkg-config,
  libusb1,
  # qt6,
  # wrapQtAppsHook,
}:

let
  # Formals with a trailing comma followed by a comment, as nixfmt leaves them when
  # an input is commented out; Nix accepts all of these.
  udevRule =
    {
      vendor,
      product,
      group ? "plugdev", /* optional */
    }:
    ''SUBSYSTEM=="usb", ATTRS{idVendor}=="${vendor}", ATTRS{idProduct}=="${product}", GROUP="${group}"'';

  versionInRange =
    args@{
      version,
      low, # inclusive
      high, # exclusive
      ...
    }:
    lib.versionAtLeast args.version low && lib.versionOlder version high;
in
stdenv.mkDerivation (finalAttrs: {
  pname = "usbprog-cli";
  version = "1.4.2";

  src = fetchFromGitHub {
    owner = "example-hw";
    repo = "usbprog-cli";
    rev = "v${finalAttrs.version}";
    hash = "sha256-0r6Qh1m9yT8K2vVq3pXcZb5nL7sJ4dE2fW1gH8iA3oU=";
  };

  nativeBuildInputs = [
    cmake
    pkg-config
  ];

  buildInputs = [ libusb1 ];

  patches = [ ];

  # `<` binds tighter than `==`, so this is not a chained comparison.
  doCheck = builtins.length finalAttrs.patches < 1 == stdenv.buildPlatform.canExecute stdenv.hostPlatform;

  postInstall = ''
    mkdir -p $out/lib/udev/rules.d
    echo '${udevRule { vendor = "1d50"; product = "6018"; }}' > $out/lib/udev/rules.d/70-usbprog.rules
  '';

  meta = {
    description = "Command-line flasher for a USB microcontroller programmer";
    license = lib.licenses.gpl3Plus;
    platforms = lib.platforms.unix;
    broken = !versionInRange {
      inherit (finalAttrs) version;
      low = "1.0";
      high = "2.0";
    };
  };
})
