-- nixls-assist as an nvim-lspconfig server, for setups that still use
-- require('lspconfig').<name>.setup{} (Neovim 0.8–0.10, or by habit):
--
--   require('nixls_assist.lspconfig').setup({
--     settings = { ['nixls-assist'] = { ignore = { 'NXA104' } } },
--   })
--
-- which is the same as
--
--   require('lspconfig').nixls_assist.setup({ ... })
--
-- once this module has registered the server under that name.
local M = {}

function M.register()
  local configs = require('lspconfig.configs')
  if configs.nixls_assist then
    return
  end
  local util = require('lspconfig.util')
  configs.nixls_assist = {
    default_config = {
      cmd = { 'nixls-assist', 'serve' },
      filetypes = { 'nix' },
      root_dir = util.root_pattern('flake.nix', '.git'),
      single_file_support = true,
    },
    docs = {
      description = 'nixls-assist: release-aware diagnostics, hover and quick fixes for NixOS, '
        .. 'home-manager and flake configurations. `pip install nixls-assist`.',
    },
  }
end

function M.setup(opts)
  M.register()
  require('lspconfig').nixls_assist.setup(opts or {})
end

return M
