"""Navigation requests' latency, in process, on generated workspaces (goal: p95 under 50 ms).

    python benchmarks/navigation_latency.py [--runs 30]

Two workspaces are written to a temporary directory: one 1,000-line NixOS module, and a
flake of 300 module files (30 hosts using shared modules). Each request is asked `--runs`
times after one warm-up (the first answer reads and parses the workspace's files; editors
ask again and again, so the warm numbers are the ones that matter) and its p50 / p95 in
milliseconds printed. Not a timed test: the machine decides the numbers.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nixls_assist.analysis import Workspace

_SERVICES = ["openssh", "nginx", "postgresql", "redis", "grafana", "prometheus", "fail2ban",
             "tailscale", "caddy", "restic"]


def _big_module() -> str:
    lines = ["{ config, lib, pkgs, ... }:", "let", "  cfg = config.fleet;", "in", "{"]
    n = 0
    while len(lines) < 990:
        service = _SERVICES[n % len(_SERVICES)]
        lines += [f"  services.{service}.settings.option{n} = {{",
                  "    enable = true;", f'    name = "value-{n}";', "  };",
                  f"  networking.firewall.allowedTCPPorts = [ {1000 + n} ];",
                  f"  environment.etc.\"file{n}\".text = ''", "    line", "  '';"]
        n += 1
    lines.append("}")
    return "\n".join(lines) + "\n"


def _fleet(root: Path) -> Path:
    hosts = [f"host{i:02d}" for i in range(30)]
    root.mkdir()
    (root / "flake.nix").write_text(
        "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-24.11\";\n"
        "  outputs = { nixpkgs, ... }: let\n"
        "    mkHost = name: nixpkgs.lib.nixosSystem {\n"
        "      modules = [ ./hosts/${name} ./modules ];\n    };\n"
        "  in {\n    nixosConfigurations = nixpkgs.lib.genAttrs [ "
        + " ".join(f'"{h}"' for h in hosts) + " ] mkHost;\n  };\n}\n")
    modules = root / "modules"
    modules.mkdir()
    shared = [f"m{i:03d}.nix" for i in range(300 - 30 * 9 - 1)]
    (modules / "default.nix").write_text(
        "{ ... }:\n{\n  imports = [ " + " ".join(f"./{m}" for m in shared) + " ];\n}\n")
    for i, name in enumerate(shared):
        service = _SERVICES[i % len(_SERVICES)]
        (modules / name).write_text(
            f"{{ config, lib, ... }}:\n{{\n  services.{service}.enable = lib.mkDefault true;\n"
            f"  networking.firewall.enable = true;\n}}\n")
    for host in hosts:
        d = root / "hosts" / host
        d.mkdir(parents=True)
        parts = [f"./part{j}.nix" for j in range(8)]
        (d / "default.nix").write_text(
            "{ ... }:\n{\n  imports = [ " + " ".join(parts) + " ];\n"
            f'  networking.hostName = "{host}";\n}}\n')
        for j in range(8):
            (d / f"part{j}.nix").write_text(
                f"{{ ... }}:\n{{\n  services.openssh.settings.Port{j} = {j};\n"
                "  networking.firewall.enable = false;\n}\n")
    return root


def _measure(name: str, ask: Callable[[], object], runs: int) -> None:
    ask()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        ask()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
    flag = "" if p95 <= 50 else "  over 50 ms"
    print(f"  {name:<20} p50 {statistics.median(times):7.2f} ms   p95 {p95:7.2f} ms{flag}")


def _requests(ws: Workspace, path: Path, needle: str, runs: int) -> None:
    text = path.read_text()
    uri = path.as_uri()
    ws.documents.open(uri, 1, text)
    entry = ws.documents.get(uri)
    assert entry is not None
    offset = text.encode().index(needle.encode()) + 2
    nav = ws.navigation
    _measure("documentSymbol", lambda: nav.document_symbols(entry), runs)
    _measure("references", lambda: nav.references(entry, offset), runs)
    _measure("workspace/symbol", lambda: nav.workspace_symbols("firewall"), runs)
    _measure("definition", lambda: nav.declaration(entry, offset), runs)
    _measure("prepareRename", lambda: nav.prepare_rename(entry, offset), runs)
    _measure("rename", lambda: nav.rename(entry, offset, "networking.firewall.on"), runs)
    _measure("foldingRange", lambda: nav.folding_ranges(entry), runs)
    _measure("selectionRange", lambda: nav.selection_ranges(entry, [offset]), runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nixls-nav-bench-") as tmp:
        single = Path(tmp) / "single"
        single.mkdir()
        module = single / "configuration.nix"
        module.write_text(_big_module())
        print(f"one module of {len(module.read_text().splitlines())} lines")
        _requests(Workspace(roots=[single]), module, "networking.firewall", args.runs)
        fleet = _fleet(Path(tmp) / "fleet")
        files = len(list(fleet.rglob("*.nix")))
        print(f"a flake of {files} files")
        _requests(Workspace(roots=[fleet]), fleet / "hosts/host07/part3.nix",
                  "networking.firewall", args.runs)


if __name__ == "__main__":
    main()
