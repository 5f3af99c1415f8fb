{ lib, buildGoModule, fetchFromGitHub, installShellFiles, stdenv }:

buildGoModule rec {
  pname = "kubectx-lite";
  version = "0.6.0";

  src = fetchFromGitHub {
    owner = "example-org";
    repo = "kubectx-lite";
    rev = "refs/tags/v${version}";
    hash = "sha256-b2QmT5vK8xN1pZ7cW4jR0sL9uE3yA6fH2gD5iO8kM1q=";
  };

  vendorHash = "sha256-Qw7kE2rT9yU4iO1pA6sD3fG8hJ5kL0zX7cV2bN4mM9s=";

  subPackages = [ "cmd/kubectx-lite" ];

  CGO_ENABLED = 0;

  ldflags = [
    "-s"
    "-w"
    "-X main.version=${version}"
    "-X main.commit=${src.rev}"
  ];

  nativeBuildInputs = [ installShellFiles ];

  postInstall = lib.optionalString (stdenv.buildPlatform.canExecute stdenv.hostPlatform) ''
    installShellCompletion --cmd kubectx-lite \
      --bash <($out/bin/kubectx-lite completion bash) \
      --zsh <($out/bin/kubectx-lite completion zsh)
  '';

  meta = with lib; {
    description = "Switch between Kubernetes contexts quickly";
    license = licenses.asl20;
    mainProgram = "kubectx-lite";
  };
}
