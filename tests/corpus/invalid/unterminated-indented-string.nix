{ pkgs, ... }:

{
  programs.bash.interactiveShellInit = ''
    export HISTSIZE=100000
    export HISTCONTROL=ignoredups:erasedups
    shopt -s histappend
    eval "$(${pkgs.zoxide}/bin/zoxide init bash)"
  ';

  environment.systemPackages = [ pkgs.zoxide pkgs.fzf ];
}
