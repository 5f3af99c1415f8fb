{ pkgs ? import <nixpkgs> { }, ... }:

pkgs.testers.runNixOSTest {
  name = "nginx-serves-hello";

  nodes = {
    server = { pkgs, ... }: {
      services.nginx = {
        enable = true;
        virtualHosts."localhost".root = pkgs.writeTextDir "index.html" "<h1>Hallo Welt 🌍</h1>";
      };
      networking.firewall.allowedTCPPorts = [ 80 ];
    };
    client = { pkgs, ... }: {
      environment.systemPackages = [ pkgs.curl ];
    };
  };

  testScript = ''
    start_all()
    server.wait_for_unit("nginx.service")
    server.wait_for_open_port(80)
    client.wait_for_unit("multi-user.target")
    out = client.succeed("curl -sf http://server/")
    assert "Hallo Welt" in out, f"unexpected body: {out}"
  '';
}
