{ lib
, stdenv
, fetchFromGitHub
, cmake
, pkg-config
, zlib
, openssl
, withTests ? false
, gtest
}:

stdenv.mkDerivation rec {
  pname = "tinyhttpd";
  version = "2.4.1";

  src = fetchFromGitHub {
    owner = "tinyhttpd";
    repo = pname;
    rev = "v${version}";
    hash = "sha256-3q0Wc6Xk9hB1yq4iY8Tn2mJ4rK7dP5sFzA0vL1uO2eE=";
  };

  nativeBuildInputs = [ cmake pkg-config ];
  buildInputs = [ zlib openssl ] ++ lib.optional withTests gtest;

  cmakeFlags = [
    "-DTINYHTTPD_BUILD_TESTS=${if withTests then "ON" else "OFF"}"
    (lib.cmakeBool "BUILD_SHARED_LIBS" (!stdenv.hostPlatform.isStatic))
  ];

  doCheck = withTests;

  postInstall = ''
    install -Dm644 ../contrib/tinyhttpd.service $out/lib/systemd/system/tinyhttpd.service
    substituteInPlace $out/lib/systemd/system/tinyhttpd.service \
      --replace-fail "/usr/bin" "$out/bin"
  '';

  meta = with lib; {
    description = "A tiny, embeddable HTTP/1.1 server";
    homepage = "https://github.com/tinyhttpd/tinyhttpd";
    changelog = "https://github.com/tinyhttpd/tinyhttpd/releases/tag/v${version}";
    license = licenses.mit;
    maintainers = with maintainers; [ ];
    platforms = platforms.unix;
    mainProgram = "tinyhttpd";
  };
}
