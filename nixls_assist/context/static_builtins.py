"""The library functions and operators the static evaluator knows, by name.

`genAttrs`, `mapAttrs`, `listToAttrs`, `readDir`, `optionals`, `nixosSystem`, flake-parts'
`mkFlake`, … are recognised wherever they come from (`lib.`, `nixpkgs.lib.`, `builtins.`,
`with lib;`). Each follows Nix's meaning on the values it can know and gives `Unknown`
(naming the call) on the others.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path

from nixls_assist.context.static_values import (
    AttrsV,
    BoolV,
    Builtin,
    Choice,
    External,
    FuncV,
    ListV,
    MergeV,
    NullV,
    NumV,
    PathV,
    StrV,
    Thunk,
    Unknown,
    Value,
    Where,
)

MAX_DIR_FILES = 5000
Ev = object  # the Evaluator (imported lazily by the evaluator itself: no cycle here)


def _u(where: Where | None, reason: str) -> Unknown:
    return Unknown(where, reason)


def _list(value: Value) -> list[Thunk] | None:
    return value.items if isinstance(value, ListV) else None


def _str(value: Value) -> str | None:
    if isinstance(value, StrV):
        return value.value
    if isinstance(value, PathV):
        return str(value.path)
    return None


def _as_path(value: Value) -> Value:
    """A path, or what stands for one: `"${./hosts}/x"` (a string of an absolute path),
    `self` (an attribute set with `outPath`)."""
    if isinstance(value, AttrsV) and "outPath" in value.entries:
        value = value.entries["outPath"].force()
    if isinstance(value, StrV) and value.value.startswith("/"):
        return PathV(Path(value.value))
    return value


def _get(ev, value: Value, name: str) -> Value | None:
    found = ev.select(value, name, None)
    return None if isinstance(found, Unknown) and found.reason == "missing attribute" else found


# -- files ----------------------------------------------------------------------------------


def b_import(ev, where, target):
    value = _as_path(target.force())
    if isinstance(value, PathV):
        return ev.import_file(value.path, where)
    if isinstance(value, (External, Unknown)):
        return value if isinstance(value, Unknown) else External(value.name)
    return _u(where, "`import` of something that is not a path")


def b_read_dir(ev, where, target):
    value = _as_path(target.force())
    if not isinstance(value, PathV) or not value.path.is_relative_to(ev.root):
        return _u(where, "`readDir` of a directory outside the repository")
    try:
        entries = sorted(value.path.iterdir())[:MAX_DIR_FILES]
    except OSError:
        return _u(where, "`readDir` of a directory that cannot be read")
    ev.loaded.add(value.path)
    return AttrsV({entry.name: Thunk.of(StrV(_file_type(entry))) for entry in entries})


def _file_type(entry: Path) -> str:
    if entry.is_symlink():
        return "symlink"
    return "directory" if entry.is_dir() else "regular"


def b_list_files_recursive(ev, where, target):
    value = _as_path(target.force())
    if not isinstance(value, PathV) or not value.path.is_dir() \
            or not value.path.is_relative_to(ev.root):
        return _u(where, "a file listing of an unknown directory")
    files = sorted(p for p in value.path.rglob("*") if p.is_file())[:MAX_DIR_FILES]
    return ListV([Thunk.of(PathV(p)) for p in files])


def b_path_exists(ev, where, target):
    value = _as_path(target.force())
    return BoolV(value.path.exists()) if isinstance(value, PathV) else _u(where, "unknown path")


def b_read_file(ev, where, target):
    value = _as_path(target.force())
    if isinstance(value, PathV) and value.path.is_file() and value.path.is_relative_to(ev.root):
        try:
            return StrV(value.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            pass
    return _u(where, "a file that cannot be read")


def _from_data(data: object) -> Value:
    if isinstance(data, dict):
        return AttrsV({str(k): Thunk.of(_from_data(v)) for k, v in data.items()})
    if isinstance(data, list):
        return ListV([Thunk.of(_from_data(v)) for v in data])
    if isinstance(data, bool):
        return BoolV(data)
    if isinstance(data, (int, float)):
        return NumV(float(data))
    if isinstance(data, str):
        return StrV(data)
    return NullV()


def _decoder(loads: Callable[[str], object]):
    def decode(ev, where, text):
        value = text.force()
        if isinstance(value, StrV):
            try:
                return _from_data(loads(value.value))
            except ValueError:
                pass
        return _u(where, "data that cannot be decoded")
    return decode


# -- lists and attribute sets -------------------------------------------------------------


def b_map(ev, where, f, xs):
    items = _list(xs.force())
    if items is None:
        return _u(where, "`map` over an unknown list")
    fn = f.force()
    return ListV([Thunk(lambda x=x: ev.apply(fn, x, where), where=x.where or where)
                  for x in items])


def b_for_each(ev, where, xs, f):
    return b_map(ev, where, f, xs)


def b_concat_map(ev, where, f, xs):
    return b_concat_lists(ev, where, Thunk.of(b_map(ev, where, f, xs)))


def b_concat_lists(ev, where, xss):
    outer = _list(xss.force())
    if outer is None:
        return _u(where, "an unknown list of lists")
    out: list[Thunk] = []
    for inner in outer:
        value = inner.force()
        out.extend(_splice(value, inner.where or where))
    return ListV(out)


def _splice(value: Value, where: Where | None) -> list[Thunk]:
    """The elements `value` contributes to `a ++ value`: an input's list contributes nothing
    local, an unknown one an unknown element."""
    if isinstance(value, ListV):
        return value.items
    if isinstance(value, External):
        return []
    if isinstance(value, Choice):
        return [t for option in value.options for t in _splice(option.force(), where)]
    return [Thunk.of(value if isinstance(value, Unknown) else Unknown(where, "not a list"),
                     where=where)]


def b_flatten(ev, where, xs):
    value = xs.force()
    if not isinstance(value, ListV):
        return ListV([xs])
    out: list[Thunk] = []
    for item in value.items:
        inner = item.force()
        if isinstance(inner, ListV):
            out.extend(b_flatten(ev, where, item).items)
        else:
            out.append(item)
    return ListV(out)


def b_filter(ev, where, f, xs):
    items = _list(xs.force())
    if items is None:
        return _u(where, "`filter` over an unknown list")
    fn = f.force()
    kept = []
    for x in items:
        test = ev.apply(fn, x, where)
        if not isinstance(test, BoolV):
            return _u(where, "a `filter` whose test is not known")
        if test.value:
            kept.append(x)
    return ListV(kept)


def b_filter_attrs(ev, where, f, attrs):
    value = attrs.force()
    if not isinstance(value, AttrsV) or value.rest is not None:
        return _u(where, "`filterAttrs` over an unknown attribute set")
    fn = f.force()
    kept = {}
    for name, item in value.entries.items():
        test = ev.apply(ev.apply(fn, Thunk.of(StrV(name)), where), item, where)
        if not isinstance(test, BoolV):
            return _u(where, "a `filterAttrs` whose test is not known")
        if test.value:
            kept[name] = item
    return AttrsV(kept)


def b_gen_attrs(ev, where, names, f):
    items = _list(names.force())
    if items is None:
        return _u(where, "`genAttrs` over an unknown list")
    fn = f.force()
    out: dict[str, Thunk] = {}
    dynamic = []
    for item in items:
        name = _str(item.force())
        if name is None:
            dynamic.append(item.where or where)
            continue
        out[name] = Thunk(lambda name=name: ev.apply(fn, Thunk.of(StrV(name)), where))
    return AttrsV(out, dynamic=[Unknown(d, "a name that is not known without evaluating")
                                for d in dynamic if d is not None])


def b_map_attrs(ev, where, f, attrs):
    value = attrs.force()
    if not isinstance(value, AttrsV):
        return _u(where, "`mapAttrs` over an unknown attribute set")
    fn = f.force()
    return AttrsV({name: Thunk(lambda name=name, item=item: ev.apply(
        ev.apply(fn, Thunk.of(StrV(name)), where), item, where))
        for name, item in value.entries.items()}, dynamic=list(value.dynamic))


def b_map_attrs_to_list(ev, where, f, attrs):
    value = attrs.force()
    if not isinstance(value, AttrsV):
        return _u(where, "`mapAttrsToList` over an unknown attribute set")
    fn = f.force()
    return ListV([Thunk(lambda name=name, item=item: ev.apply(
        ev.apply(fn, Thunk.of(StrV(name)), where), item, where), where=where)
        for name, item in sorted(value.entries.items())])


def b_map_attrs_prime(ev, where, f, attrs):
    pairs = b_map_attrs_to_list(ev, where, f, attrs)
    return b_list_to_attrs(ev, where, Thunk.of(pairs))


def b_list_to_attrs(ev, where, xs):
    items = _list(xs.force())
    if items is None:
        return _u(where, "`listToAttrs` over an unknown list")
    out: dict[str, Thunk] = {}
    dynamic = []
    for item in items:
        pair = item.force()
        name = _get(ev, pair, "name")
        name_text = _str(name) if name is not None else None
        if name_text is None:
            dynamic.append(item.where or where)
            continue
        out[name_text] = Thunk(lambda pair=pair: ev.select(pair, "value", where))
    return AttrsV(out, dynamic=[Unknown(d, "a name that is not known without evaluating")
                                for d in dynamic if d is not None])


def b_name_value_pair(ev, where, name, value):
    return AttrsV({"name": name, "value": value})


def b_attr_names(ev, where, attrs):
    value = attrs.force()
    if not isinstance(value, AttrsV) or value.rest is not None:
        return _u(where, "the names of an unknown attribute set")
    return ListV([Thunk.of(StrV(n)) for n in sorted(value.entries)])


def b_attr_values(ev, where, attrs):
    value = attrs.force()
    if not isinstance(value, AttrsV):
        return _u(where, "the values of an unknown attribute set")
    return ListV([value.entries[n] for n in sorted(value.entries)])


def b_get_attr(ev, where, name, attrs):
    text = _str(name.force())
    return ev.select(attrs.force(), text, where) if text is not None else _u(where, "unknown")


def b_fold_left(ev, where, f, init, xs):
    items = _list(xs.force())
    if items is None:
        return _u(where, "a fold over an unknown list")
    fn = f.force()
    acc = init
    for item in items:
        acc = Thunk(lambda acc=acc, item=item: ev.apply(ev.apply(fn, acc, where), item, where))
    return acc.force()


def b_fold_right(ev, where, f, init, xs):
    items = _list(xs.force())
    if items is None:
        return _u(where, "a fold over an unknown list")
    fn = f.force()
    acc = init
    for item in reversed(items):
        acc = Thunk(lambda acc=acc, item=item: ev.apply(ev.apply(fn, item, where), acc, where))
    return acc.force()


def b_recursive_update(ev, where, left, right):
    return merge_attrs(left.force(), right.force(), where, recursive=True)


def merge_attrs(a: Value, b: Value, where: Where | None, *, recursive: bool = False) -> Value:
    if isinstance(a, AttrsV) and isinstance(b, AttrsV):
        entries = dict(a.entries)
        for name, item in b.entries.items():
            if recursive and name in entries:
                under = entries[name]
                entries[name] = Thunk(lambda u=under, i=item: merge_attrs(
                    u.force(), i.force(), where, recursive=True))
            else:
                entries[name] = item
        return AttrsV(entries, b.rest or a.rest, a.dynamic + b.dynamic)
    if isinstance(a, AttrsV) and isinstance(b, (External, Unknown)):
        return AttrsV(dict(a.entries), b, list(a.dynamic))
    if isinstance(b, AttrsV) and isinstance(a, (External, Unknown)):
        return AttrsV(dict(b.entries), a, list(b.dynamic))
    if recursive and not isinstance(b, (External, Unknown)):
        return b
    return a if isinstance(a, Unknown) else b if isinstance(b, Unknown) else Unknown(
        where, "a merge of unknown attribute sets")


def b_concat_map_attrs(ev, where, f, attrs):
    parts = b_map_attrs_to_list(ev, where, f, attrs)
    if not isinstance(parts, ListV):
        return parts
    result: Value = AttrsV({})
    for part in parts.items:
        result = merge_attrs(result, part.force(), where)
    return result


def b_pipe(ev, where, value, fs):
    items = _list(fs.force())
    if items is None:
        return _u(where, "a `pipe` through unknown functions")
    acc = value
    for f in items:
        acc = Thunk(lambda acc=acc, f=f: ev.apply(f.force(), acc, where))
    return acc.force()


def b_fix(ev, where, f):
    holder: list[Thunk] = []
    result = Thunk(lambda: ev.apply(f.force(), holder[0], where))
    holder.append(result)
    return result.force()


def b_extend(ev, where, f, origin=None):
    """`lib.extend (final: prev: { my = import ./lib { lib = final; }; })`: `final` is the
    extended library itself (`lib.my` inside `./lib` is the repository's own)."""
    base = External(origin) if origin is not None else External("lib", local_lib=True)
    final: list[Thunk] = []
    fixed = Thunk(lambda: final[0].force())
    final.append(Thunk(lambda: merge_attrs(
        base, ev.apply(ev.apply(f.force(), fixed, where), Thunk.of(base), where), where)))
    return final[0].force()


# -- conditions, strings --------------------------------------------------------------------


def b_optionals(ev, where, cond, xs):
    test = cond.force()
    if isinstance(test, BoolV) and not test.value:
        return ListV([])
    return xs.force()  # true, or unknown: the elements are part of the configuration's code


def b_optional(ev, where, cond, x):
    test = cond.force()
    if isinstance(test, BoolV) and not test.value:
        return ListV([])
    return ListV([Thunk(x.force, where=x.where or where)])


def b_optional_attrs(ev, where, cond, attrs):
    test = cond.force()
    return AttrsV({}) if isinstance(test, BoolV) and not test.value else attrs.force()


def b_mk_if(ev, where, cond, body):
    return body.force()


def b_mk_override(ev, where, priority, body):
    return body.force()


def b_mk_merge(ev, where, xs):
    return MergeV(xs)


def b_identity(ev, where, x):
    return x.force()


def b_flip(ev, where, f, a, b):
    return ev.apply(ev.apply(f.force(), b, where), a, where)


def _strings(test: Callable[[str, str], Value]):
    def run(ev, where, a, b):
        left, right = _str(a.force()), _str(b.force())
        if left is None or right is None:
            return _u(where, "an unknown string")
        return test(left, right)
    return run


def b_to_string(ev, where, x):
    value = x.force()
    text = _str(value)
    if text is None and isinstance(value, NumV):
        text = str(int(value.value))
    return StrV(text) if text is not None else _u(where, "an unknown string")


def b_base_name(ev, where, x):
    value = x.force()
    if isinstance(value, PathV):
        return StrV(value.path.name)
    text = _str(value)
    return StrV(text.rstrip("/").rsplit("/", 1)[-1]) if text is not None else _u(where, "?")


def b_elem(ev, where, x, xs):
    items = _list(xs.force())
    needle = x.force()
    if items is None or not isinstance(needle, (StrV, NumV, BoolV)):
        return _u(where, "an unknown `elem`")
    values = [item.force() for item in items]
    if all(isinstance(v, (StrV, NumV, BoolV)) for v in values):
        return BoolV(needle in values)
    return _u(where, "an unknown `elem`")


def b_head(ev, where, xs):
    items = _list(xs.force())
    return items[0].force() if items else _u(where, "the head of an unknown list")


def b_elem_at(ev, where, xs, n):
    items, index = _list(xs.force()), n.force()
    if items is None or not isinstance(index, NumV) or not 0 <= index.value < len(items):
        return _u(where, "an element of an unknown list")
    return items[int(index.value)].force()


def b_split_string(ev, where, sep, text):
    left, right = _str(sep.force()), _str(text.force())
    if not left or right is None:
        return _u(where, "a split of an unknown string")
    return ListV([Thunk.of(StrV(part)) for part in right.split(left)])


def b_merge_attrs_list(ev, where, xs):
    items = _list(xs.force())
    if items is None:
        return _u(where, "a merge of an unknown list")
    result: Value = AttrsV({})
    for item in items:
        result = merge_attrs(result, item.force(), where)
    return result


def b_fold_attrs(ev, where, op, nul, xs):
    """`foldAttrs op nul [ a b … ]`: each name of any set, its values folded from the right."""
    items = _list(xs.force())
    if items is None:
        return _u(where, "`foldAttrs` over an unknown list")
    sets = [item.force() for item in items]
    if not all(isinstance(v, AttrsV) for v in sets):
        return _u(where, "`foldAttrs` over a list of unknown attribute sets")
    names: dict[str, list[Thunk]] = {}
    dynamic: list[Unknown] = []
    for value in sets:
        assert isinstance(value, AttrsV)
        dynamic += value.dynamic
        for name, item in value.entries.items():
            names.setdefault(name, []).append(item)
    fn = op.force()

    def fold(values: list[Thunk]) -> Value:
        result = nul
        for value in reversed(values):
            result = Thunk.of(ev.apply(ev.apply(fn, value, where), result, where))
        return result.force()

    return AttrsV({name: Thunk(lambda values=values: fold(values))
                   for name, values in names.items()}, dynamic=dynamic)


def b_remove_attrs(ev, where, attrs, names):
    value, listed = attrs.force(), _list(names.force())
    if not isinstance(value, AttrsV) or listed is None:
        return _u(where, "`removeAttrs` of an unknown attribute set")
    drop = {_str(n.force()) for n in listed}
    return AttrsV({k: v for k, v in value.entries.items() if k not in drop}, value.rest,
                  list(value.dynamic))


def _is(kinds: tuple[type, ...]):
    def test(ev, where, x):
        value = x.force()
        if isinstance(value, (Unknown, External, Choice)):
            return _u(where, "an unknown value")
        return BoolV(isinstance(value, kinds))
    return test


def b_collect(ev, where, pred, attrs):
    fn = pred.force()
    found: list[Thunk] = []

    def visit(thunk: Thunk, depth: int) -> Value | None:
        test = ev.apply(fn, thunk, where)
        if not isinstance(test, BoolV):
            return _u(where, "a `collect` whose test is not known")
        if test.value:
            found.append(thunk)
            return None
        value = thunk.force()
        if isinstance(value, AttrsV) and depth < 20:
            if value.rest is not None:
                return _u(where, "a `collect` over an unknown attribute set")
            for name in sorted(value.entries):
                problem = visit(value.entries[name], depth + 1)
                if problem is not None:
                    return problem
        return None

    problem = visit(attrs, 0)
    return problem if problem is not None else ListV(found)


# name → (arity, function)
BUILTINS: dict[str, tuple[int, Callable[..., Value]]] = {
    "import": (1, b_import), "readDir": (1, b_read_dir),
    "listFilesRecursive": (1, b_list_files_recursive), "pathExists": (1, b_path_exists),
    "readFile": (1, b_read_file), "fromJSON": (1, _decoder(json.loads)),
    "fromTOML": (1, _decoder(tomllib.loads)),
    "map": (2, b_map), "forEach": (2, b_for_each), "concatMap": (2, b_concat_map),
    "concatLists": (1, b_concat_lists), "flatten": (1, b_flatten), "filter": (2, b_filter),
    "filterAttrs": (2, b_filter_attrs), "genAttrs": (2, b_gen_attrs),
    "mapAttrs": (2, b_map_attrs), "mapAttrs'": (2, b_map_attrs_prime),
    "mapAttrsToList": (2, b_map_attrs_to_list), "listToAttrs": (1, b_list_to_attrs),
    "nameValuePair": (2, b_name_value_pair), "attrNames": (1, b_attr_names),
    "attrValues": (1, b_attr_values), "getAttr": (2, b_get_attr),
    "foldl'": (3, b_fold_left), "foldl": (3, b_fold_left), "foldr": (3, b_fold_right),
    "fold": (3, b_fold_right),
    "recursiveUpdate": (2, b_recursive_update), "concatMapAttrs": (2, b_concat_map_attrs),
    "pipe": (2, b_pipe), "fix": (1, b_fix), "extend": (1, b_extend),
    "optionals": (2, b_optionals), "optional": (2, b_optional),
    "optionalAttrs": (2, b_optional_attrs), "mkIf": (2, b_mk_if),
    "mkDefault": (1, b_identity), "mkForce": (1, b_identity), "mkOverride": (2, b_mk_override),
    "mkBefore": (1, b_identity), "mkAfter": (1, b_identity), "mkOrder": (2, b_mk_override),
    "mkMerge": (1, b_mk_merge), "id": (1, b_identity), "flip": (3, b_flip),
    "hasSuffix": (2, _strings(lambda s, x: BoolV(x.endswith(s)))),
    "hasPrefix": (2, _strings(lambda p, x: BoolV(x.startswith(p)))),
    "removeSuffix": (2, _strings(lambda s, x: StrV(x[: -len(s)] if s and x.endswith(s)
                                                     else x))),
    "removePrefix": (2, _strings(lambda p, x: StrV(x[len(p):] if x.startswith(p) else x))),
    "toString": (1, b_to_string), "baseNameOf": (1, b_base_name), "elem": (2, b_elem),
    "head": (1, b_head), "elemAt": (2, b_elem_at), "splitString": (2, b_split_string),
    "mergeAttrsList": (1, b_merge_attrs_list), "foldAttrs": (3, b_fold_attrs),
    "mergeAttrs": (2, lambda ev, where, a, b: merge_attrs(a.force(), b.force(), where)),
    "removeAttrs": (2, b_remove_attrs),
    "collect": (2, b_collect), "singleton": (1, lambda ev, where, x: ListV([x])),
    "isPath": (1, _is((PathV,))), "isAttrs": (1, _is((AttrsV,))),
    "isList": (1, _is((ListV,))), "isString": (1, _is((StrV,))),
    "isFunction": (1, _is((FuncV, Builtin))),
}
