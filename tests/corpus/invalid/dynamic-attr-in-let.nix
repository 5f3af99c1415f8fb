{ config, lib, ... }:

let
  user = "alice";
  ${user} = {
    isNormalUser = true;
    extraGroups = [ "wheel" ];
  };
in
{
  users.users.alice = alice;
}
