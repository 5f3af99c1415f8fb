-- nixls-assist for Neovim 0.11+ (vim.lsp.config / vim.lsp.enable).
--
-- Put this directory (editors/nvim) on 'runtimepath' — or copy this file to
-- ~/.config/nvim/lsp/nixls_assist.lua — then in init.lua:
--
--   vim.lsp.enable('nixls_assist')
--
-- Override anything with vim.lsp.config, e.g. pin every file to a release or
-- skip the secret rules:
--
--   vim.lsp.config('nixls_assist', {
--     settings = {
--       ['nixls-assist'] = {
--         release = '24.11',            -- instead of the release flake.lock pins
--         ignore = { 'NXA2' },          -- codes or prefixes to skip
--         skillReferences = { vim.fn.expand('~/notes/nixos') },
-- --       },
--     },
--   })
--
-- The server reads the `nixls-assist` section through workspace/configuration;
-- unknown keys are reported once and ignored.

---@type vim.lsp.Config
return {
  cmd = { 'nixls-assist', 'serve' },
  filetypes = { 'nix' },
  root_markers = { 'flake.nix', '.git' },
}
