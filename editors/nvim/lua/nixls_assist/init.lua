-- nixls-assist for any Neovim from 0.8 on.
--
--   require('nixls_assist').setup({
--     cmd = { 'nixls-assist', 'serve' },           -- optional
--     settings = { ['nixls-assist'] = { release = '24.11' } },  -- optional
--   })
--
-- On 0.11+ this is vim.lsp.config + vim.lsp.enable with lsp/nixls_assist.lua.
-- On older versions it registers the server with nvim-lspconfig when that plugin
-- is installed (see lua/nixls_assist/lspconfig.lua), and otherwise starts it
-- itself with vim.lsp.start on every `nix` buffer.
local M = {}

M.defaults = {
  cmd = { 'nixls-assist', 'serve' },
  filetypes = { 'nix' },
  root_markers = { 'flake.nix', '.git' },
}

local function root_of(path, markers)
  local found = vim.fs.find(markers, { path = vim.fs.dirname(path), upward = true })[1]
  return found and vim.fs.dirname(found) or vim.fs.dirname(path)
end

function M.setup(opts)
  opts = opts or {}
  if vim.lsp.config and vim.lsp.enable then
    if next(opts) ~= nil then
      vim.lsp.config('nixls_assist', opts)
    end
    vim.lsp.enable('nixls_assist')
    return
  end
  local has_lspconfig = pcall(require, 'lspconfig')
  if has_lspconfig then
    require('nixls_assist.lspconfig').setup(opts)
    return
  end
  local config = vim.tbl_deep_extend('force', M.defaults, opts)
  vim.api.nvim_create_autocmd('FileType', {
    group = vim.api.nvim_create_augroup('nixls_assist', { clear = true }),
    pattern = config.filetypes,
    callback = function(args)
      local name = vim.api.nvim_buf_get_name(args.buf)
      vim.lsp.start({
        name = 'nixls_assist',
        cmd = config.cmd,
        root_dir = name ~= '' and root_of(name, config.root_markers) or vim.loop.cwd(),
        settings = config.settings,
      }, { bufnr = args.buf })
    end,
  })
end

return M
