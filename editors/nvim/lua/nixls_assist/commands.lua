-- The commands that ask nixls-assist about the fleet and the next release (Neovim 0.10+):
--
--   :NixlsPreviewUpgrade [release]  the upgrade report in a markdown scratch buffer, then
--                                   "Apply N edits" (vim.lsp.util.apply_workspace_edit)
--   :NixlsConfigurations            the configurations that use this file (vim.ui.select),
--                                   then flake.nix where the chosen one is defined (the
--                                   server's workspace symbols know where)
--   :NixlsParentModule              the file importing this one (experimental/parentModule)
--
-- plugin/nixls_assist.lua defines the user commands; mappings can call these functions.
local M = {}

M.PREVIEW_UPGRADE = 'nixls-assist.previewUpgrade'
M.SHOW_CONFIGURATIONS = 'nixls-assist.showConfigurations'
M.PARENT_MODULE = 'experimental/parentModule'

local function notify(msg, level)
  vim.notify('nixls-assist: ' .. msg, level or vim.log.levels.INFO)
end

local function client_of(buf)
  local clients = vim.lsp.get_clients({ bufnr = buf, name = 'nixls_assist' })
  if #clients == 0 then
    -- a report or flake.nix buffer: any running nixls_assist client will do
    clients = vim.lsp.get_clients({ name = 'nixls_assist' })
  end
  return clients[1]
end

local function request(client, method, params, handler, buf)
  if vim.fn.has('nvim-0.11') == 1 then
    return client:request(method, params, handler, buf)
  end
  return client.request(method, params, handler, buf)
end

local function execute(client, command, arguments, buf, on_result)
  request(client, 'workspace/executeCommand', { command = command, arguments = arguments },
    function(err, result)
      if err then
        notify(command .. ': ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
        return
      end
      on_result(result)
    end, buf)
end

local function is_list(value)
  return type(value) == 'table' and (vim.islist or vim.tbl_islist)(value)
end

-- -- Preview upgrade -------------------------------------------------------------------------

--- The number of text edits in a WorkspaceEdit, and the files it touches.
function M.count_edits(edit)
  local count, files = 0, {}
  if type(edit) ~= 'table' then
    return 0, 0
  end
  for uri, edits in pairs(edit.changes or {}) do
    count = count + #edits
    files[uri] = true
  end
  for _, change in ipairs(edit.documentChanges or {}) do
    count = count + (change.edits and #change.edits or 1)
    if change.textDocument then
      files[change.textDocument.uri] = true
    end
  end
  return count, vim.tbl_count(files)
end

--- A scratch buffer with the Markdown report, in a new window.
function M.open_report(target, markdown)
  vim.cmd('botright new')
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].buftype = 'nofile'
  vim.bo[buf].bufhidden = 'wipe'
  vim.bo[buf].swapfile = false
  pcall(vim.api.nvim_buf_set_name, buf, ('nixls-assist://upgrade-%s.md'):format(target))
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, vim.split(markdown, '\n', { plain = true }))
  vim.bo[buf].modifiable = false
  vim.bo[buf].filetype = 'markdown'
  return buf
end

local function offer_edit(client, target, edit)
  local count, files = M.count_edits(edit)
  if count == 0 then
    notify(('no automatic edits for the upgrade to %s'):format(target))
    return
  end
  local apply = ('Apply %d edit%s'):format(count, count == 1 and '' or 's')
  vim.ui.select({ apply, 'Not now' }, {
    prompt = ('Upgrade to %s: %d safe edit%s in %d file%s (renames and input refs)'):format(
      target, count, count == 1 and '' or 's', files, files == 1 and '' or 's'),
  }, function(choice)
    if choice ~= apply then
      return
    end
    vim.lsp.util.apply_workspace_edit(edit, client.offset_encoding or 'utf-16')
    notify(('applied %d edit%s; review and :wall, then run `nix flake update`'):format(
      count, count == 1 and '' or 's'))
  end)
end

local function preview(client, buf, target, folder)
  execute(client, M.PREVIEW_UPGRADE, { { to = target, folder = folder } }, buf, function(result)
    if type(result) ~= 'table' or type(result.markdown) ~= 'string' then
      return -- the server said why (an unknown release, no folder)
    end
    M.open_report(target, result.markdown)
    offer_edit(client, target, result.edit)
  end)
end

--- :NixlsPreviewUpgrade [release]: without a release, pick one of those after the pin
--- (or type one when the server does not list them).
function M.preview_upgrade(target)
  local buf = vim.api.nvim_get_current_buf()
  local client = client_of(buf)
  if not client then
    return notify('the language server is not running in this buffer', vim.log.levels.WARN)
  end
  local folder = client.root_dir and vim.uri_from_fname(client.root_dir) or nil
  if target and target ~= '' then
    return preview(client, buf, target, folder)
  end
  -- the pin of this Nix file, else of any Nix buffer the server has (the report may be here)
  local nix_buf = vim.bo[buf].filetype == 'nix' and buf or nil
  for _, b in ipairs(nix_buf and {} or vim.lsp.get_buffers_by_client_id(client.id)) do
    if vim.bo[b].filetype == 'nix' and vim.api.nvim_buf_get_name(b) ~= '' then
      nix_buf = b
      break
    end
  end
  local uri = nix_buf and vim.uri_from_bufnr(nix_buf) or nil
  -- no `to`: the server answers the pin and the releases after it ({} must stay an object)
  local query = uri and { uri = uri } or vim.empty_dict()
  execute(client, M.PREVIEW_UPGRADE, { query }, buf, function(result)
    local targets = type(result) == 'table' and is_list(result.targets) and result.targets or {}
    local from = type(result) == 'table' and type(result.from) == 'string' and result.from or nil
    local function go(choice)
      if choice and choice ~= '' then
        preview(client, buf, vim.trim(choice), folder)
      end
    end
    if #targets > 0 and (from or #targets > 1) then
      vim.ui.select(targets, {
        prompt = from and ('Pinned to %s: upgrade to'):format(from) or 'Upgrade to',
      }, go)
    else
      vim.ui.input({ prompt = 'Upgrade to NixOS release (25.05, unstable): ' }, go)
    end
  end)
end

-- -- Configurations of this file -------------------------------------------------------------

--- `nixosConfigurations.kestrel` (or `{attribute, uri, range}`) → {attribute, output, name, ...}
function M.configuration_items(result)
  local items = {}
  for _, entry in ipairs(type(result) == 'table' and result or {}) do
    local attribute = type(entry) == 'string' and entry
      or (type(entry) == 'table' and type(entry.attribute) == 'string' and entry.attribute)
      or nil
    if attribute then
      local output, name = attribute:match('^([^.]+)%.(.+)$')
      local item = { attribute = attribute, output = output or '', name = (name or attribute):gsub('^"(.*)"$', '%1') }
      if type(entry) == 'table' and type(entry.uri) == 'string' then
        item.uri = entry.uri
        item.line = entry.range and entry.range.start and entry.range.start.line or 0
      end
      items[#items + 1] = item
    end
  end
  return items
end

--- Where flake.nix defines each configuration: the server's workspace symbols mark one as
--- a Module symbol (kind 2) named by its attribute, at its name in flake.nix.
function M.configuration_locations(symbols, attributes)
  local wanted, found = {}, {}
  for _, attribute in ipairs(attributes) do
    wanted[attribute] = true
  end
  for _, symbol in ipairs(type(symbols) == 'table' and symbols or {}) do
    local loc = type(symbol) == 'table' and symbol.location or nil
    if symbol.kind == 2 and wanted[symbol.name] and not found[symbol.name]
      and type(loc) == 'table' and type(loc.uri) == 'string' and type(loc.range) == 'table' then
      found[symbol.name] = loc
    end
  end
  return found
end

--- The pick list for a file's configurations (also what the code lens runs).
function M.pick_configuration(client, path, result)
  local items = M.configuration_items(result)
  if #items == 0 then
    return -- the server said so in a message
  end
  local attributes, outputs = {}, {}
  for _, item in ipairs(items) do
    attributes[#attributes + 1] = item.attribute
    if not item.uri and not vim.tbl_contains(outputs, item.output) then
      outputs[#outputs + 1] = item.output
    end
  end
  local located = {}
  local function show()
    for _, item in ipairs(items) do
      local loc = item.uri and { uri = item.uri, range = { start = { line = item.line, character = 0 } } }
        or located[item.attribute]
      if loc then
        item.location = loc
        item.where = ('%s:%d'):format(vim.fn.fnamemodify(vim.uri_to_fname(loc.uri), ':.'), loc.range.start.line + 1)
      end
    end
    vim.ui.select(items, {
      prompt = ('%s: used by %d configuration%s'):format(
        vim.fn.fnamemodify(path, ':.'), #items, #items == 1 and '' or 's'),
      format_item = function(item)
        return item.attribute .. (item.where and ('  ' .. item.where) or '')
      end,
    }, function(item)
      if item and item.location then
        local encoding = client.offset_encoding or 'utf-16'
        if vim.lsp.util.show_document then
          vim.lsp.util.show_document(item.location, encoding, { focus = true })
        else
          vim.lsp.util.jump_to_location(item.location, encoding)
        end
      end
    end)
  end
  -- one workspace/symbol query per output (`nixosConfigurations`), then the list
  local pending = #outputs
  if pending == 0 then
    return show()
  end
  for _, output in ipairs(outputs) do
    request(client, 'workspace/symbol', { query = output }, function(_, symbols)
      for attribute, loc in pairs(M.configuration_locations(symbols, attributes)) do
        located[attribute] = loc
      end
      pending = pending - 1
      if pending == 0 then
        show()
      end
    end)
  end
end

function M.configurations()
  local buf = vim.api.nvim_get_current_buf()
  local client = client_of(buf)
  if not client then
    return notify('the language server is not running in this buffer', vim.log.levels.WARN)
  end
  local path = vim.api.nvim_buf_get_name(buf)
  execute(client, M.SHOW_CONFIGURATIONS, { vim.uri_from_bufnr(buf) }, buf, function(result)
    M.pick_configuration(client, path, result)
  end)
end

-- -- Go to the importing file ----------------------------------------------------------------

--- `Location[] | null` → 'none' | 'jump', location | 'pick', locations
function M.parent_action(result)
  local list = {}
  if type(result) == 'table' then
    list = is_list(result) and result or { result }
  end
  local locations = {}
  for _, loc in ipairs(list) do
    if type(loc) == 'table' and type(loc.uri) == 'string' and type(loc.range) == 'table' then
      locations[#locations + 1] = loc
    end
  end
  if #locations == 0 then
    return 'none'
  elseif #locations == 1 then
    return 'jump', locations[1]
  end
  return 'pick', locations
end

local function jump(location, encoding)
  if vim.lsp.util.show_document then
    vim.lsp.util.show_document(location, encoding, { focus = true })
  else
    vim.lsp.util.jump_to_location(location, encoding)
  end
end

function M.parent_module()
  local buf = vim.api.nvim_get_current_buf()
  local client = client_of(buf)
  if not client then
    return notify('the language server is not running in this buffer', vim.log.levels.WARN)
  end
  local experimental = client.server_capabilities and client.server_capabilities.experimental
  if type(experimental) ~= 'table' or not experimental.parentModule then
    return notify('this version of the server cannot find importing files (no experimental/parentModule)')
  end
  local encoding = client.offset_encoding or 'utf-16'
  local params = vim.lsp.util.make_position_params(0, encoding)
  local name = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(buf), ':.')
  request(client, M.PARENT_MODULE, params, function(err, result)
    if err then
      return notify(M.PARENT_MODULE .. ': ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
    end
    local action, found = M.parent_action(result)
    if action == 'none' then
      notify(('no file is known to import %s'):format(name))
    elseif action == 'jump' then
      jump(found, encoding)
    else
      vim.ui.select(found, {
        prompt = ('%s is imported by %d files'):format(name, #found),
        format_item = function(loc)
          return ('%s:%d'):format(vim.fn.fnamemodify(vim.uri_to_fname(loc.uri), ':.'), loc.range.start.line + 1)
        end,
      }, function(loc)
        if loc then
          jump(loc, encoding)
        end
      end)
    end
  end, buf)
end

--- User commands, and the code lens "in 2 configurations: …" as the same pick list.
function M.setup()
  vim.api.nvim_create_user_command('NixlsPreviewUpgrade', function(opts)
    M.preview_upgrade(opts.args)
  end, { nargs = '?', desc = 'nixls-assist: preview the upgrade to a NixOS release' })
  vim.api.nvim_create_user_command('NixlsConfigurations', M.configurations,
    { desc = 'nixls-assist: the configurations that use this file' })
  vim.api.nvim_create_user_command('NixlsParentModule', M.parent_module,
    { desc = 'nixls-assist: go to the file that imports this one' })
  vim.lsp.commands[M.SHOW_CONFIGURATIONS] = function(command, ctx)
    local client = vim.lsp.get_client_by_id(ctx.client_id)
    local uri = command.arguments and command.arguments[1]
    if not client or type(uri) ~= 'string' then
      return
    end
    execute(client, M.SHOW_CONFIGURATIONS, command.arguments, ctx.bufnr, function(result)
      M.pick_configuration(client, vim.uri_to_fname(uri), result)
    end)
  end
end

return M
