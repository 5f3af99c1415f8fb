"""Store-index benchmark: static extraction of a nixpkgs-sized module tree, cold and re-built.

Run: python benchmarks/store_index.py [--files 2000] [--tree DIR]
Generates a tree of ~2,000 module files shaped like nixpkgs' (options with submodules, let-bound
types, rename shims in `imports`, a rename.nix, a module-list.nix) unless --tree points at a
real nixpkgs / home-manager checkout. Reports: cold extraction (no per-file cache), re-build of
a new revision with 1% of the files changed (per-file cache warm), peak RSS of a separate
process for the cold build, and the index size.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from option_index.sources.store_index import build_source_index, source_tree  # noqa: E402

_MODULE = """{{ config, lib, pkgs, ... }}:
with lib;
let
  cfg = config.services.{name};
  settingsFormat = pkgs.formats.toml {{ }};
  instanceModule = {{ name, ... }}: {{
    options = {{
      port = mkOption {{ type = types.port; default = {port}; description = "Port ${{name}}."; }};
      extraArgs = mkOption {{ type = types.listOf types.str; default = [ ]; }};
    }};
  }};
in
{{
  imports = [
    (mkRenamedOptionModule [ "services" "{name}" "extraConfig" ] [ "services" "{name}" "settings" ])
  ];

  options.services.{name} = {{
    enable = mkEnableOption "the {name} service";
    package = mkPackageOption pkgs "{name}" {{ }};
    settings = mkOption {{
      type = types.submodule {{
        freeformType = settingsFormat.type;
        options.log_level = mkOption {{
          type = types.enum [ "debug" "info" "warn" ];
          default = "info";
          description = "Log level.";
        }};
      }};
      default = {{ }};
      description = ''
        Configuration of {name}, see its manual.
      '';
    }};
    instances = mkOption {{
      type = types.attrsOf (types.submodule instanceModule);
      default = {{ }};
      description = "Instances.";
    }};
{extra}
  }};

  config = mkIf cfg.enable {{
    systemd.services.{name} = {{
      wantedBy = [ "multi-user.target" ];
      serviceConfig.ExecStart = "${{cfg.package}}/bin/{name}";
    }};
  }};
}}
"""


def generate(root: Path, count: int, seed: int = 1) -> Path:
    rng = random.Random(seed)
    modules = root / "nixos" / "modules"
    names = []
    for i in range(count):
        name = f"svc{i}"
        extra = "".join(
            f"    opt{j} = mkOption {{ type = types.{rng.choice(['str', 'int', 'bool'])}; "
            f"default = null; description = \"Option {j}.\"; }};\n"
            for j in range(rng.randint(2, 12)))
        path = modules / "services" / f"group{i % 40}" / f"{name}.nix"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_MODULE.format(name=name, port=1000 + i, extra=extra))
        names.append(path.relative_to(modules).as_posix())
    (modules / "rename.nix").write_text(
        "{ lib, ... }: with lib; {\n  imports = [\n" + "".join(
            f"    (mkRemovedOptionModule [ \"services\" \"old{i}\" ] \"gone\")\n"
            for i in range(300)) + "  ];\n}\n")
    (modules / "module-list.nix").write_text(
        "[\n  ./rename.nix\n" + "".join(f"  ./{n}\n" for n in names) + "]\n")
    (root / ".version").write_text("24.11")
    return root


def _touch(root: Path, share: float) -> None:
    files = sorted((root / "nixos" / "modules" / "services").rglob("*.nix"))
    for path in files[: max(1, int(len(files) * share))]:
        path.write_text(path.read_text().replace("Log level.", "Log verbosity."))


def _cold_rss(tree_dir: Path, cache: Path) -> tuple[float, float]:
    code = (f"import sys, time, resource; sys.path.insert(0, {str(REPO)!r});"
            "from pathlib import Path;"
            "from option_index.sources.store_index import build_source_index, source_tree;"
            f"t = time.perf_counter(); build_source_index(source_tree(Path({str(tree_dir)!r}), "
            f"rev='c' * 40), Path({str(cache)!r}));"
            "print(time.perf_counter() - t, "
            "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--tree", type=Path, default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        src = args.tree or generate(tmp_path / "rev1", args.files)
        seconds, rss = _cold_rss(src, tmp_path / "cache")
        tree = source_tree(src, rev="a" * 40)
        result = build_source_index(tree, tmp_path / "cache2")
        print(f"cold build: {seconds:.1f}s, peak RSS {rss:.0f} MiB (separate process); "
              f"{result.option_count} options, {result.drift_count} drift records, "
              f"index {result.path.stat().st_size / 1e6:.1f} MB")
        if args.tree is None:
            import shutil
            shutil.copytree(src, tmp_path / "rev2")
            _touch(tmp_path / "rev2", 0.01)
            started = time.perf_counter()
            build_source_index(source_tree(tmp_path / "rev2", rev="b" * 40), tmp_path / "cache2")
            print(f"re-build of a revision with 1% of the files changed: "
                  f"{time.perf_counter() - started:.1f}s (per-file cache)")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"this process peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
