# A grab-bag of expression forms that show up in real configs.
let
  inherit (builtins) fromJSON toJSON attrNames length;
  ratio = 0.75;
  offset = -3;
  big = 1.5e3;
  home = ~/.config;
  nixpkgsPath = <nixpkgs>;
  nested = { a.b.c = 1; a.b.d = 2; };
  json = fromJSON ''
    { "name": "日本", "tags": ["🍣", "🗻"], "n": 3 }
  '';
  greet = name: "Hallo, ${name}! 👋";
  pick = set: set.missing.attr or set.fallback or "default";
  implies = a: b: a -> b;
in
rec {
  count = length (attrNames nested.a.b);
  scaled = ratio * 100 + offset;
  inherit big home nixpkgsPath;
  hasC = nested ? a.b.c;
  notHasZ = !(nested ? z);
  merged = nested // { a = { e = 3; }; };
  list = [ 1 2 3 ] ++ [ (1 + 2) (-1) "four" ./five.txt null true false ];
  message = greet "世界";
  fallback = pick { fallback = "fb"; };
  logic = implies (count > 1) (scaled >= 0) && count != 0 || false;
  text = "line one\nline two\t\"quoted\" \${not-interpolated}";
  indented = ''
    keep ''${this} literal
    dollar: $HOME, '''quoted'''
    interpolated: ${toString count}
  '';
  encoded = toJSON { inherit count; tags = json.tags; };
  selfRef = count + 1;
  "key with spaces" = true;
  "${message}" = "dynamic key";
  url = https://example.org/path?x=1&y=2;
  lambdaWithArgs = { x, y ? 2, ... }@args: x + y + (args.z or 0);
}
