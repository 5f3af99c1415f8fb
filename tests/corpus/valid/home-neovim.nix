{
  pkgs,
  lib,
  ...
}:
{
  programs.neovim = {
    enable = true;
    defaultEditor = true;
    viAlias = true;
    vimAlias = true;
    withNodeJs = false;

    extraPackages = with pkgs; [
      lua-language-server
      nil
      nixfmt-rfc-style
      pyright
      stylua
    ];

    plugins = with pkgs.vimPlugins; [
      nvim-lspconfig
      telescope-nvim
      plenary-nvim
      {
        plugin = nvim-treesitter.withPlugins (p: [
          p.nix
          p.lua
          p.python
          p.bash
        ]);
        type = "lua";
        config = ''
          require("nvim-treesitter.configs").setup({
            highlight = { enable = true },
          })
        '';
      }
      {
        plugin = catppuccin-nvim;
        config = "colorscheme catppuccin-mocha";
      }
    ];

    extraLuaConfig = ''
      vim.g.mapleader = " "
      vim.opt.number = true
      vim.opt.relativenumber = true
      vim.opt.expandtab = true
      vim.opt.shiftwidth = 2

      local lsp = require("lspconfig")
      lsp.nil_ls.setup({
        settings = {
          ["nil"] = { formatting = { command = { "${lib.getExe pkgs.nixfmt-rfc-style}" } } },
        },
      })
      lsp.pyright.setup({})
    '';
  };
}
