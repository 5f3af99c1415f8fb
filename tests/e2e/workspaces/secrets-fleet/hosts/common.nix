{ config, ... }:
{
  # every host joins the office wifi
  age.secrets.wifi.file = ../secrets/wifi.age;
  networking.wireless.secretsFile = config.age.secrets.wifi.path;
  system.stateVersion = "24.11";
}
