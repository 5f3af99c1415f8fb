# With a top-level `options` (or `config`), only `config` holds definitions; anything else
# at the top level is an error in the module system, not a definition.
{ lib, ... }:
{
  options.my.flag = lib.mkEnableOption "a flag";
  services.ignored.enable = true;
  config.services.counted.enable = true;
}
