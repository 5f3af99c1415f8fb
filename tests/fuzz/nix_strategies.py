"""Hypothesis strategies for Nix input: a small grammar, and mutations of real files.

The grammar writes the shapes the rules and the binding resolver care about (modules with
formals, nested attrsets, `lib.mkIf` / `mkMerge` wrappers, `let`, strings with interpolation,
paths, comments, planted secrets). The mutations start from the real corpus and the fleet
example and break them the way editors and disks do: byte flips, truncation, deleted or
duplicated tokens, unbalanced braces, invalid UTF-8, NUL bytes, CRLF, a BOM, `|>` pipes.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import strategies as st

from tests.conftest import REPO

SEED_FILES: tuple[Path, ...] = tuple(
    sorted((REPO / "tests" / "corpus" / "valid").glob("*.nix"))
    + sorted((REPO / "examples" / "fleet").rglob("*.nix"))
)
SEEDS: tuple[bytes, ...] = tuple(p.read_bytes() for p in SEED_FILES)

# Secrets the generator plants as values of secret-named options: none may ever be printed.
SECRET_MARK = "fz5ecret"

NAMES = (
    "services", "openssh", "enable", "settings", "PermitRootLogin", "networking", "hostName",
    "users", "alice", "hardware", "opengl", "graphics", "boot", "loader", "system",
    "stateVersion", "environment", "systemPackages", "home", "packages", "programs", "git",
    "imports", "config", "options", "nixpkgs", "inputs", "follows", "url", "outputs",
    "nixosConfigurations", "modules", "home-manager", "xdg", "configFile", "sound", "x",
    "fileSystems", "device", "extraConfig", "description", "nodes", "machine", "testScript",
)
VARIABLES = ("lib", "pkgs", "config", "inputs", "self", "x", "builtins", "nixpkgs", "final",
             "prev", "options", "modulesPath")
SECRET_KEYS = ("password", "token", "secret", "passphrase", "psk", "privateKey", "apiKey")
WRAPPERS = ("lib.mkIf true", "lib.mkDefault", "lib.mkForce", "mkIf config.x.enable",
            "lib.mkOverride 50", "lib.mkBefore", "lib.mkAfter")
UNICODE = ("é", "λ", "日本", "😀", "\U0001f4a9", "\u200b", "\u00a0", "ﬁ", "\u2028")


def _ident() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NAMES),
        st.from_regex(r"[a-zA-Z_][a-zA-Z0-9_'-]{0,8}", fullmatch=True).filter(
            lambda s: s not in ("if", "then", "else", "let", "in", "rec", "with", "assert",
                                "inherit", "or")
        ),
    )


def _attr_name() -> st.SearchStrategy[str]:
    return st.one_of(
        _ident(), _ident(),
        st.builds(lambda s: f'"{s}"', st.sampled_from(("/", "/boot", "a.b", "x y", "ü", ""))),
        st.builds(lambda v: f"${{{v}}}", st.sampled_from(VARIABLES)),
    )


def _attrpath() -> st.SearchStrategy[str]:
    return st.lists(_attr_name(), min_size=1, max_size=4).map(".".join)


def _string_fragment() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(alphabet=st.characters(blacklist_characters='"\\$', blacklist_categories=("Cs",)),
                max_size=12),
        st.sampled_from(("\\n", "\\\"", "$$", "\\${", "nix-env -iA nixpkgs.hello",
                         "nix profile install nixpkgs#jq")),
        st.sampled_from(UNICODE),
    )


_BASE = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(("true", "false", "null", "1.5", "0", "./.", "./hosts/a.nix", "../x.key",
                     "<nixpkgs>", "~/x", "/etc/secret.key", "https://example.org/x.tar.gz",
                     '"24.11"', '"23.05"', '"25.05"', '"nixos-24.11"', "pkgs.hello", "[ ]",
                     "{ }", "...", "./${x}/y")),
    st.sampled_from(VARIABLES),
    st.lists(_string_fragment(), max_size=3).map(lambda parts: '"' + "".join(parts) + '"'),
)


def _binding(expr: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.builds(lambda p, e: f"{p} = {e};", _attrpath(), expr),
        st.builds(lambda p, e: f"{p} = {e};", _attrpath(), expr),
        st.builds(lambda names: "inherit " + " ".join(names) + ";",
                  st.lists(_ident(), min_size=1, max_size=3)),
        st.builds(lambda v, names: f"inherit ({v}) " + " ".join(names) + ";",
                  st.sampled_from(VARIABLES), st.lists(_ident(), min_size=1, max_size=3)),
        st.builds(lambda p, k, s: f'{p}.{k} = "{SECRET_MARK}{s}";',
                  _attrpath(), st.sampled_from(SECRET_KEYS),
                  st.from_regex(r"[A-Za-z0-9]{6,12}", fullmatch=True)),
        st.builds(lambda c: f"# {c}\n", st.text(max_size=10).map(lambda t: t.replace("\n", " "))),
    )


def _formals() -> st.SearchStrategy[str]:
    def render(names: list[str], default: bool, ellipsis: bool, trailing: bool) -> str:
        items = [f"{n} ? null" if default and i == 0 else n for i, n in enumerate(names)]
        if ellipsis:
            items.append("...")
        return "{ " + ", ".join(items) + ("," if trailing else "") + " }"

    return st.builds(render, st.lists(st.sampled_from(VARIABLES), max_size=4, unique=True),
                     st.booleans(), st.booleans(), st.booleans())


def _extend(expr: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    bindings = st.lists(_binding(expr), max_size=4).map(" ".join)
    return st.one_of(
        bindings.map(lambda b: "{ " + b + " }"),
        bindings.map(lambda b: "rec { " + b + " }"),
        st.builds(lambda b, e: f"let {b} in {e}", bindings, expr),
        st.builds(lambda f, e: f"{f}: {e}", _formals(), expr),
        st.builds(lambda f, e: f"{f}@args: {e}", _formals(), expr),
        st.builds(lambda v, e: f"{v}: {e}", st.sampled_from(VARIABLES), expr),
        st.lists(expr, max_size=4).map(lambda xs: "[ " + " ".join(f"({x})" for x in xs) + " ]"),
        st.builds(lambda w, e: f"{w} ({e})", st.sampled_from(WRAPPERS), expr),
        st.lists(expr, max_size=3).map(lambda xs: "lib.mkMerge [ " +
                                       " ".join(f"({x})" for x in xs) + " ]"),
        st.builds(lambda c, a, b: f"if {c} then {a} else {b}", expr, expr, expr),
        st.builds(lambda a, b: f"with {a}; {b}", expr, expr),
        st.builds(lambda a, b: f"assert {a}; {b}", expr, expr),
        st.builds(lambda e, p, d: f"({e}).{p} or {d}", expr, _attrpath(), expr),
        st.builds(lambda a, op, b: f"({a}) {op} ({b})", expr,
                  st.sampled_from(("+", "//", "++", "==", "&&", "||", "->", "-", "*", "/", "<",
                                   "|>", "<|", "?")), expr),
        st.builds(lambda a, b: f'"pre ${{{a}}} mid ${{{b}}}"', expr, expr),
        st.builds(lambda a: f"''\n  line ''${{x}} ${{{a}}}\n''", expr),
        st.builds(lambda f, a: f"{f} ({a})",
                  st.sampled_from(("builtins.readFile", "import", "lib.fileContents",
                                   "pkgs.writeText \"x\"", "builtins.fetchTarball",
                                   "nixpkgs.lib.nixosSystem", "pkgs.nixosTest",
                                   "lib.mkRenamedOptionModule [ \"a\" ] ")), expr),
        expr.map(lambda e: f"({e})"),
        expr.map(lambda e: f"/* c */ {e} # t"),
    )


NIX_EXPRESSIONS: st.SearchStrategy[str] = st.recursive(_BASE, _extend, max_leaves=25)


def _module(body: str, formals: str, style: int) -> str:
    if style == 0:
        return f"{formals}:\n{{\n  {body}\n}}\n"
    if style == 1:
        return f"{formals}: {{\n  config = {{ {body} }};\n}}\n"
    if style == 2:
        return f"{{\n  imports = [ ./a.nix ];\n  {body}\n}}\n"
    if style == 3:
        return ("{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-24.11\";\n"
                "  outputs = { self, nixpkgs, ... }: {\n"
                "    nixosConfigurations.h = nixpkgs.lib.nixosSystem {\n"
                f"      modules = [ {{ {body} }} ];\n    }};\n  }};\n}}\n")
    return f"{formals}: {{ {body} }}"


NIX_MODULES: st.SearchStrategy[str] = st.builds(
    _module,
    st.lists(_binding(NIX_EXPRESSIONS), max_size=6).map("\n  ".join),
    _formals(),
    st.integers(min_value=0, max_value=4),
)
NIX_SOURCES: st.SearchStrategy[str] = st.one_of(NIX_MODULES, NIX_MODULES, NIX_EXPRESSIONS)

# -- mutations of real files -------------------------------------------------------------------

_TOKEN = re.compile(rb"[A-Za-z0-9_'.-]+|\"|''|\$\{|[{}()\[\];=:,@?.]")
_INSERTS = (b"{", b"}", b"(", b")", b"[", b"]", b'"', b"''", b"${", b";", b"=", b"\0", b"\xff",
            b"\xc3", b"\xed\xa0\x80", b"\xf0\x9f\x98", b"\xef\xbb\xbf", b"|>", b"<|", b"\r\n",
            b"\r", b"\t", "😀".encode(), "日本".encode(), b"/*", b"#", b"\\", b"...", b"rec ",
            b"let ", b" in ", b"inherit ", b"or", b"${x}", b"./.", b"<nixpkgs>", b"@")


@st.composite
def _mutation(draw: st.DrawFn, data: bytes) -> bytes:
    kind = draw(st.integers(min_value=0, max_value=11))
    pos = draw(st.integers(min_value=0, max_value=len(data)))
    if kind == 0:  # flip a byte
        if not data:
            return data
        pos = min(pos, len(data) - 1)
        return data[:pos] + bytes([data[pos] ^ draw(st.integers(1, 255))]) + data[pos + 1 :]
    if kind == 1:  # truncate
        return data[:pos]
    if kind in (2, 3):  # delete or duplicate a token
        tokens = list(_TOKEN.finditer(data))
        if not tokens:
            return data
        tok = tokens[draw(st.integers(0, len(tokens) - 1))]
        if kind == 2:
            return data[: tok.start()] + data[tok.end() :]
        return data[: tok.end()] + b" " + tok.group() + data[tok.end() :]
    if kind == 4:  # insert something nasty
        return data[:pos] + draw(st.sampled_from(_INSERTS)) + data[pos:]
    if kind == 5:
        return data.replace(b"\n", b"\r\n")
    if kind == 6:
        return b"\xef\xbb\xbf" + data
    if kind == 7:  # delete a range
        end = draw(st.integers(min_value=pos, max_value=min(len(data), pos + 200)))
        return data[:pos] + data[end:]
    if kind == 8:  # splice another file in
        other = draw(st.sampled_from(SEEDS))
        cut = draw(st.integers(min_value=0, max_value=len(other)))
        return data[:pos] + other[cut : cut + 300] + data[pos:]
    if kind == 9:  # swap two halves
        return data[pos:] + data[:pos]
    if kind == 10:  # random bytes
        return data[:pos] + draw(st.binary(min_size=1, max_size=8)) + data[pos:]
    # duplicate a whole line
    start = data.rfind(b"\n", 0, pos) + 1
    end = data.find(b"\n", pos)
    line = data[start : end if end != -1 else len(data)]
    return data[:start] + line + b"\n" + data[start:]


@st.composite
def mutated_sources(draw: st.DrawFn) -> bytes:
    """A real file (or a generated one) with one to four mutations."""
    if draw(st.integers(0, 4)) == 0:
        data = draw(NIX_SOURCES).encode("utf-8")
    else:
        data = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        data = draw(_mutation(data))
    return data


# -- pathological shapes (each generated at a chosen size) -------------------------------------

def deep_nesting(kind: str, depth: int) -> bytes:
    """Nesting `depth` levels deep, of one of a few shapes."""
    shapes = {
        "attrs": (b"{ a = ", b"1", b"; }"),
        "list": (b"[ ", b"1", b" ]"),
        "parens": (b"(", b"1", b")"),
        "let": (b"let a = 1; in ", b"a", b""),
        "lambda": (b"x: ", b"x", b""),
        "mkif": (b"lib.mkIf true (", b"{ a = 1; }", b")"),
        "interp": (b'"${', b'"x"', b'}"'),
        "apply": (b"f (", b"x", b")"),
        "select": (b"(", b"{ }", b").a"),
        "unbalanced": (b"{ a = ", b"", b""),
        "if": (b"if true then ", b"1", b" else 2"),
        "with": (b"with x; ", b"1", b""),
    }
    opening, middle, closing = shapes[kind]
    return opening * depth + middle + closing * depth


NESTING_SHAPES = ("attrs", "list", "parens", "let", "lambda", "mkif", "interp", "apply",
                  "select", "unbalanced", "if", "with")
