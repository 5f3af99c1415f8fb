/* Old ThinkPad X220, still running strong.
   BIOS boot, no UEFI. */
{ config, pkgs, lib, ... }:

{
  imports = [
    ./hardware-configuration.nix
    <nixos-hardware/lenovo/thinkpad/x220>
  ];

  boot.loader.grub = {
    enable = true;
    device = "/dev/sda";
    useOSProber = true;
    configurationLimit = 10;
    splashImage = ./backgrounds/grub.png;
  };
  boot.loader.timeout = 3;

  services.tlp = {
    enable = true;
    settings = {
      START_CHARGE_THRESH_BAT0 = 75;
      STOP_CHARGE_THRESH_BAT0 = 90;
      CPU_SCALING_GOVERNOR_ON_BAT = "powersave";
    };
  };

  services.thinkfan.enable = true;
  zramSwap = { enable = true; memoryPercent = 50; };

  # tweak for older intel GPUs
  environment.variables.MESA_LOADER_DRIVER_OVERRIDE = "i965";

  system.autoUpgrade = {
    enable = true;
    allowReboot = false;
    channel = https://nixos.org/channels/nixos-24.05;
  };

  system.stateVersion = "19.09";
}
