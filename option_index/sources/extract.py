"""Static extractor: option declarations and rename shims read from Nix module sources.

No evaluation: the module tree is parsed with tree-sitter-nix and read the way a person would.
- declarations: whatever stands under `options.…` (also `options = { … }`): `mkOption { type =
  …; }`, `mkEnableOption`, `mkPackageOption`, and any other call, which becomes an option of
  unknown type (so nothing below it is ever called unknown). Submodules in a type (`submodule`,
  `submoduleWith { modules }`, through `attrsOf` -> `<name>`, `listOf` -> `*`, `nullOr`, ...) are
  walked at their mount point, including let-bound and imported (`import ./x.nix`) modules;
  `freeformType` makes the mount point free. Names are followed to their values: let bindings,
  attributes of local attrsets, and values of other files (`(import ./lib/options.nix { … })
  .fonts`, `inherit (commonOptions) fonts gaps;`, a type constructor such as `fileType` from
  `lib/file-type.nix`), with the reader switched into that file while inside it.
- drift: `mkRenamedOptionModule(With)`, `mkRemovedOptionModule`, `mkAliasOptionModule(MD)`,
  `mkChangedOptionModule`, `mkMergedOptionModule` wherever they stand; inside a submodule's
  `imports` they are relative to the mount point.
tree-sitter-nix 0.1.0 misparses some trailing commas in formals; MISSING / ERROR nodes are skipped,
never fatal.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import tree_sitter_nix
from tree_sitter import Language, Node, Parser

from option_index.model import DriftRecord
from option_index.sources.extract_drift import DriftShims
from option_index.sources.extract_nodes import (
    attr_names,
    attr_of,
    bindings,
    call_parts,
    collapse_type,
    function_of,
    inherits,
    named,
    node_text,
    path_list,
    string_value,
    strip,
)
from option_index.sources.nix_files import nix_files, resolve_file
from option_index.store.database import OptionRow

_LANGUAGE = Language(tree_sitter_nix.language())
#: Bumped whenever the extractor's output for the same input changes: cached per-file results
#: and per-source indexes of another version are rebuilt.
EXTRACTOR_VERSION = "4"  # 4: declarations carry their line (`file.nix:12`)
_PLACEHOLDER_TYPES = {"attrsOf": "<name>", "lazyAttrsOf": "<name>", "attrsWith": "<name>",
                      "loaOf": "<name>", "dagOf": "<name>", "listOf": "*",
                      "nonEmptyListOf": "*"}
_OPTION_MAKERS = frozenset({"mkOption", "mkEnableOption", "mkPackageOption"})


@dataclass
class Extraction:
    options: list[OptionRow] = field(default_factory=list)
    drift: list[DriftRecord] = field(default_factory=list)
    files: int = 0
    parse_errors: list[str] = field(default_factory=list)


class _FileReader(DriftShims):
    """Reads one file (and the files its submodules import) into an Extraction."""

    def __init__(self, parser: Parser, out: Extraction, release: str) -> None:
        self.parser = parser
        self.out = out
        self.release = release
        self.lets: dict[str, Node] = {}
        self.consumed: set[int] = set()
        self.path = Path()
        self._visiting: set[Path] = set()
        #: files imported as submodules: their paths are relative, not top-level modules
        self.submodule_files: set[Path] = set()
        #: every other file this reader parsed (its result depends on their content)
        self.imported_files: set[Path] = set()
        self._trees: dict[Path, object] = {}  # parsed imports, kept alive while reading
        #: static paths a module factory was called with (`modulePath = [ "programs" "x" ]`)
        self.paths: dict[str, tuple[str, ...]] = {}
        self._depth = 0

    def read(self, path: Path) -> None:
        try:
            tree = self.parser.parse(path.read_bytes())
        except OSError as exc:
            self.out.parse_errors.append(f"{path}: {exc}")
            return
        if tree.root_node.has_error:
            self.out.parse_errors.append(str(path))
        previous, self.path = self.path, path
        saved = self.lets
        self.lets = dict(self._let_bindings(tree.root_node))
        resolved = resolve_file(path)
        self._visiting.add(resolved)
        self.module(tree.root_node, ())
        self._scan_drift(tree.root_node, ())
        self._visiting.discard(resolved)
        self.lets, self.path = saved, previous

    def _let_bindings(self, root: Node) -> Iterator[tuple[str, Node]]:
        if root.text is not None and b"let" not in root.text:
            return  # no `let` keyword, no let expression: skip the walk
        stack = [root]
        while stack:
            node = stack.pop()
            if node.type == "let_expression":
                for child in named(node):
                    if child.type == "binding_set":
                        for binding in named(child):
                            attrpath = binding.child_by_field_name("attrpath")
                            value = binding.child_by_field_name("expression")
                            names = attr_names(attrpath) if attrpath is not None else None
                            if names and len(names) == 1 and value is not None:
                                yield names[0], value
            stack.extend(node.named_children)

    def _resolve(self, node: Node | None, depth: int = 0) -> Node | None:
        node = strip(node)
        if node is not None and node.type == "variable_expression" and depth < 8:
            target = self.lets.get(node_text(node))
            if target is not None:
                return self._resolve(target, depth + 1)
        return node

    @contextlib.contextmanager
    def _in_file(self, target: Path) -> Iterator[Node | None]:
        """Switch the reader into `target` (an imported value's file) while inside."""
        tree = self._trees.get(target)
        if tree is None:
            try:
                tree = self._trees[target] = self.parser.parse(target.read_bytes())
            except OSError:
                yield None
                return
        self.imported_files.add(target)
        self.submodule_files.add(target)  # a helper file, not a top-level module
        saved = self.path, self.lets
        self.path, self.lets = target, dict(self._let_bindings(tree.root_node))
        try:
            yield tree.root_node
        finally:
            self.path, self.lets = saved

    def _import_target(self, node: Node | None) -> Path | None:
        node = strip(node)
        if node is None or node.type != "path_expression":
            return None
        target = (self.path.parent / node_text(node)).resolve()
        if target.is_dir():
            target = target / "default.nix"
        return target if target.is_file() else None

    def _deref(self, node: Node | None, stack: contextlib.ExitStack,
               depth: int = 0) -> Node | None:
        """What `node` stands for: a let-bound value, an attribute of a local attrset, or a
        value of another file (`(import ./x.nix { … }).name`, `inherit (x) name`). When the
        value comes from another file, the reader is switched into it until `stack` closes.
        Returns `node` itself (reader unchanged) when it cannot be followed."""
        node = self._resolve(node)
        if node is None or depth > 8:
            return node
        with contextlib.ExitStack() as local:
            target: Node | None = node
            if node.type == "select_expression" and \
                    node.child_by_field_name("default") is None:
                attrpath = node.child_by_field_name("attrpath")
                names = attr_names(attrpath) if attrpath is not None else None
                base = self._deref(node.child_by_field_name("expression"), local, depth + 1)
                target = attr_of(base, names) if names else None
                target = self._deref(target, local, depth + 1) if target is not None else None
            else:
                name, args = call_parts(node)
                path = self._import_target(args[0]) if name == "import" and args else None
                if path is None:
                    return node
                root = local.enter_context(self._in_file(path))
                target = self._resolve(root) if root is not None else None
            if target is None:
                return node
            stack.push(local.pop_all())
            return target
        return node  # pragma: no cover - the with block always returns

    # --- modules and declarations -------------------------------------------------------

    def module(self, node: Node, prefix: tuple[str, ...]) -> bool:
        """Walk a module at `prefix`; returns True when it declares a freeformType."""
        body = self._resolve(node)
        if body is None:
            return False
        name, args = call_parts(body)
        if name == "import" and args:
            self._import(args[0], prefix)
            return False
        if body.type == "path_expression":
            self._import(body, prefix)
            return False
        freeform = False
        for names, value in bindings(body):
            if names[0] == "options":
                self.declarations(value, prefix + tuple(names[1:]))
            elif names == ["imports"]:
                self._scan_drift(value, prefix)
                for element in named(self._resolve(value) or value):
                    if prefix:
                        self.module(element, prefix)
                    else:
                        self._module_factory(element)
            elif names == ["freeformType"]:
                freeform = True
            elif not prefix and _is_module_output(names):
                self.module(value, prefix)  # `flake.modules.homeManager.kanshi = { … }: { … };`
        return freeform

    def _module_factory(self, node: Node) -> None:
        """`imports = [ (mkFirefoxModule { modulePath = [ "programs" "firefox" ]; … }) ]`: a
        module made by a function of another file, read with the static paths it is given."""
        node = strip(node)
        if node is None or node.type != "apply_expression" or self._depth >= 16:
            return
        callee = strip(node.child_by_field_name("function"))
        argument = self._resolve(node.child_by_field_name("argument"))
        if callee is None or argument is None or \
                argument.type not in ("attrset_expression", "rec_attrset_expression"):
            return
        given: dict[str, tuple[str, ...]] = {}
        for names, value in bindings(argument):
            if len(names) == 1 and (path := path_list(self._resolve(value))) is not None:
                given[names[0]] = path
        for _, inherited in inherits(argument):
            for key in inherited:
                if (path := path_list(self._resolve(self.lets.get(key)))) is not None:
                    given[key] = path
        if not given:
            return
        with contextlib.ExitStack() as stack:
            target = self._deref(callee, stack)
            if target is None or target.id == callee.id or self.path in self._visiting:
                return
            saved, self.paths = self.paths, {**self.paths, **given}
            self._depth += 1
            try:
                self.module(target, ())
            finally:
                self.paths = saved
                self._depth -= 1

    def _import(self, node: Node, prefix: tuple[str, ...]) -> None:
        node = strip(node)
        if node is None or node.type != "path_expression":
            return
        target = (self.path.parent / node_text(node)).resolve()
        if target.is_dir():
            target = target / "default.nix"
        if target in self._visiting or not target.is_file():
            return
        if prefix:
            self.submodule_files.add(target)
        self.imported_files.add(target)
        saved = self.path, self.lets
        try:
            tree = self.parser.parse(target.read_bytes())
        except OSError:
            return
        self.path, self.lets = target, dict(self._let_bindings(tree.root_node))
        self._visiting.add(target)
        self.module(tree.root_node, prefix)
        self._scan_drift(tree.root_node, prefix)
        self._visiting.discard(target)
        self.path, self.lets = saved

    def declarations(self, node: Node, prefix: tuple[str, ...]) -> None:
        value = strip(node)
        if value is None:
            return
        if value.type in ("attrset_expression", "rec_attrset_expression"):
            for names, child in bindings(value):
                self.declarations(child, prefix + tuple(names))
            for source, names in inherits(value):
                for name in names:
                    self._declared_elsewhere(source, name, (*prefix, name))
            return
        if value.type == "binary_expression":
            operator = value.child_by_field_name("operator")
            if operator is not None and operator.type == "//":
                left = value.child_by_field_name("left")
                right = value.child_by_field_name("right")
                # `mkEnableOption "x" // { default = true; }`
                if call_parts(left)[0] in _OPTION_MAKERS:
                    self.declarations(left, prefix)
                    default = attr_of(self._resolve(right), ["default"])
                    last = self.out.options[-1] if self.out.options else None
                    if default is not None and last is not None and last.segments == prefix:
                        self.out.options[-1] = dataclasses.replace(
                            last, default=collapse_type(node_text(default)))
                elif call_parts(right)[0] not in _OPTION_MAKERS:  # `commonOptions // { … }`
                    self.declarations(left, prefix)
                    self.declarations(right, prefix)
                else:
                    self.declarations(right, prefix)
                return
        name, args = call_parts(value)
        if name == "optionalAttrs" and len(args) == 2:
            # `{ … } // optionalAttrs (!isProprietaryChrome) { extensions = …; }`: options
            # declared under a condition are read as declared (a missed unknown is better than
            # a false one)
            self.declarations(args[1], prefix)
            return
        if name in ("mapAttrs", "genAttrs") and len(args) == 2 and \
                self._declarations_per_name(name, args, prefix):
            return
        if name == "setAttrByPath" and len(args) == 2:
            path = path_list(self._resolve(args[0]))
            if path is None and strip(args[0]) is not None and \
                    strip(args[0]).type == "variable_expression":
                path = self.paths.get(node_text(strip(args[0])))
            if path is not None:
                self.declarations(args[1], prefix + path)
            return
        if name not in _OPTION_MAKERS and self._depth < 16:
            # a name, an import, or a call of a function of this file or another
            # (`chromium = browserModule pkgs.chromium "Chromium" true;`): read what it returns
            original = value if not args or name == "import" else function_of(value)
            with contextlib.ExitStack() as stack:
                target = self._deref(original, stack) if original is not None else None
                if target is not None and original is not None and target.id != original.id:
                    self._depth += 1
                    try:
                        self.declarations(target, prefix)
                    finally:
                        self._depth -= 1
                    return
        if not prefix:
            return
        here = (self._where(value),)
        if name == "mkOption" and args:
            self._mk_option(args[0], prefix, here)
        elif name == "mkEnableOption":
            self.out.options.append(OptionRow(prefix, "boolean", default="false",
                                              declarations=here))
        elif name == "mkPackageOption":
            self.out.options.append(OptionRow(prefix, "package", declarations=here))
        else:
            # a helper we cannot see through: an option of unknown type (free below it)
            self.out.options.append(OptionRow(prefix, "", declarations=here))

    def _where(self, node: Node) -> str:
        """`file.nix:12`: the file and 1-based line of a declaration (see `split_declaration`)."""
        return f"{self.path}:{node.start_point[0] + 1}"

    def _declarations_per_name(self, name: str, args: list[Node],
                               prefix: tuple[str, ...]) -> bool:
        """`mapAttrs (browser: title: browserModule …) supportedBrowsers` / `genAttrs [ … ]
        (name: …)`: the function's body declared once per static name; False when the names
        are not literals."""
        function, names_node = (args[0], args[1]) if name == "mapAttrs" else (args[1], args[0])
        names_node = self._resolve(names_node)
        body = self._resolve(function)  # through the function heads to the body
        if names_node is None or body is None:
            return False
        if name == "mapAttrs":
            if names_node.type not in ("attrset_expression", "rec_attrset_expression"):
                return False
            keys = [names[0] for names, _ in bindings(names_node) if len(names) == 1]
        else:
            if names_node.type != "list_expression":
                return False
            keys = [string_value(element) for element in named(names_node)]
            if any(key is None for key in keys):
                return False
        for key in keys:
            self.declarations(body, (*prefix, key))
        return bool(keys)

    def _declared_elsewhere(self, source: Node | None, name: str,
                            prefix: tuple[str, ...]) -> None:
        """`inherit (source) name;` / `inherit name;` inside `options`."""
        if self._depth >= 16:
            return
        with contextlib.ExitStack() as stack:
            if source is None:
                value = self.lets.get(name)
            else:
                value = attr_of(self._deref(source, stack), [name])
            if value is not None:
                self._depth += 1
                try:
                    self.declarations(value, prefix)
                finally:
                    self._depth -= 1

    def _mk_option(self, attrs: Node, prefix: tuple[str, ...],
                   declarations: tuple[str, ...]) -> None:
        fields = {names[0]: value for names, value in bindings(self._resolve(attrs))
                  if len(names) == 1}
        type_node = fields.get("type")
        type_text = collapse_type(node_text(type_node)) if type_node is not None else ""
        ro = fields.get("readOnly")
        default = fields.get("default")
        if type_node is not None and self._submodules(type_node, prefix, ()):
            type_text = f"open submodule of {type_text}"
        self.out.options.append(OptionRow(
            prefix, type_text, read_only=ro is not None and node_text(ro).strip() == "true",
            default=collapse_type(node_text(default)) if default is not None else None,
            description=string_value(fields["description"]) if "description" in fields else None,
            declarations=declarations,
        ))

    def _submodules(self, node: Node, prefix: tuple[str, ...], suffix: tuple[str, ...],
                    depth: int = 0) -> bool:
        """Walk the submodules inside a type expression at their mount points.

        Returns True when a submodule mounted at the option itself has a freeformType (a
        freeform submodule below a placeholder gets an "open submodule" row of its own).
        """
        if depth > 12:
            return False
        with contextlib.ExitStack() as stack:
            return self._submodules_of(self._deref(node, stack), prefix, suffix, depth)

    def _submodules_of(self, node: Node | None, prefix: tuple[str, ...],
                       suffix: tuple[str, ...], depth: int) -> bool:
        if node is None:
            return False
        if node.type == "list_expression":  # `oneOf [ a b ]`
            return any([self._submodules(e, prefix, suffix, depth + 1) for e in named(node)])
        name, args = call_parts(node)
        if name == "attrTag" and args:  # each tag is an option at the mount point
            self.declarations(args[0], prefix + suffix)
            return False
        if name in ("submodule", "submoduleWith") and args:
            modules = [args[0]]
            if name == "submoduleWith":
                fields = dict((n[0], v) for n, v in bindings(self._resolve(args[0])))
                mods = self._resolve(fields.get("modules"))
                modules = named(mods) if mods is not None else []
            else:
                listed = self._resolve(args[0])
                if listed is not None and listed.type == "list_expression":
                    modules = named(listed)
            freeform = False
            for module in modules:
                freeform |= self.module(module, prefix + suffix)
            if freeform and suffix:
                self.out.options.append(OptionRow(prefix + suffix, "open submodule"))
            return freeform and not suffix
        if args and name not in _PLACEHOLDER_TYPES and depth < 8:
            # a type constructor of this file or another, e.g. `localModule = name:
            # types.submodule { … }`, `(import ./file-type.nix { … }).fileType "home.file" …`
            callee = function_of(node)
            with contextlib.ExitStack() as stack:
                target = self._deref(callee, stack) if callee is not None else None
                if target is not None and callee is not None and target.id != callee.id:
                    return self._submodules(target, prefix, suffix, depth + 1)
        extra = _PLACEHOLDER_TYPES.get(name or "")
        found = False
        for arg in args:
            found |= self._submodules(arg, prefix, suffix + ((extra,) if extra else ()),
                                      depth + 1)
        return found


@dataclass
class FileExtraction(Extraction):
    """What one top-level file yields, and which files that result depends on."""

    submodule_files: set[Path] = field(default_factory=set)
    imported_files: set[Path] = field(default_factory=set)


_MODULE_OUTPUTS = frozenset({"nixosModules", "homeManagerModules", "homeModules",
                             "darwinModules"})


def _is_module_output(names: list[str]) -> bool:
    """A module written as a flake output: `nixosModules.x`, flake-parts'
    `flake.modules.<class>.x` / `flake.nixosModules.x`."""
    if names[:1] == ["flake"]:
        names = names[1:]
    if len(names) == 3 and names[0] == "modules":
        return True
    return len(names) == 2 and names[0] in _MODULE_OUTPUTS


def extract_file(path: Path, *, release: str = "unstable",
                 parser: Parser | None = None) -> FileExtraction:
    """Options and drift of one file read as a top-level module (submodule imports followed)."""
    part = FileExtraction(files=1)
    reader = _FileReader(parser or Parser(_LANGUAGE), part, release)
    reader.read(path)
    part.submodule_files = reader.submodule_files
    part.imported_files = reader.imported_files
    return part


def new_parser() -> Parser:
    return Parser(_LANGUAGE)


def extract_tree(root: Path, *, release: str = "unstable", limit: int | None = None) -> Extraction:
    """Options and drift declared by the `.nix` files under `root` (or the single file `root`),
    reading at most `limit` files."""
    out = Extraction()
    parser = Parser(_LANGUAGE)
    per_file: dict[Path, Extraction] = {}
    submodule_files: set[Path] = set()
    for path in nix_files(root, limit):
        part = per_file[resolve_file(path)] = extract_file(path, release=release, parser=parser)
        submodule_files |= part.submodule_files
        out.files += 1
        out.parse_errors += part.parse_errors
    for path, part in per_file.items():
        if path not in submodule_files:  # read on its own it would mount at the top level
            out.options += part.options
            out.drift += part.drift
    return out
