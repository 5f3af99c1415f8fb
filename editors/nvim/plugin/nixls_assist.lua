-- :NixlsPreviewUpgrade [release], :NixlsConfigurations, :NixlsParentModule, and the code
-- lens "in 2 configurations: …" as a pick list (lua/nixls_assist/commands.lua). Loaded
-- when editors/nvim is on 'runtimepath' (a plugin manager, or `set rtp^=…/editors/nvim`).
if vim.g.loaded_nixls_assist or vim.fn.has('nvim-0.10') ~= 1 then
  return
end
vim.g.loaded_nixls_assist = 1
require('nixls_assist.commands').setup()
