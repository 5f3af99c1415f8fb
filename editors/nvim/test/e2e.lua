-- End-to-end test of editors/nvim in a real, headless Neovim (0.11+).
--
--   NIXLS_NVIM_SPEC=spec.json nvim --headless --clean \
--     --cmd 'set rtp^=editors/nvim' -c 'luafile editors/nvim/test/e2e.lua'
--
-- The spec (written by tests/editors/test_editors.py) lists files to open and what
-- the server must do in each, using Neovim's own UI paths:
--   diagnostics  {code, line} that must be published for the buffer (0-based line)
--   absent       codes that must not be published (spec.settings ignores them)
--   hover        {line, character, contains = {...}}: vim.lsp.buf.hover() must open a
--                floating window whose text contains every string
--   fix          {line, character, code, title, expect_line}: vim.lsp.buf.code_action
--                with apply=true must rewrite the line, and `code` must then go away
--   definition   {line, character, file, declared_line}: Neovim's default CTRL-] (the
--                LSP 'tagfunc') must jump to `file` (a path suffix) at `declared_line`
--   symbols      {contains = {...}}: the default `gO` (document symbols) must fill the
--                location list with entries naming every string
--   configurations {names = {...}, pick, flake_line}: the code lens and :NixlsConfigurations
--                must offer `names` (vim.ui.select); picking `pick` opens flake.nix there
--   importing    {file, line} | {unsupported = true}: :NixlsParentModule jumps to `file`
--                (a path suffix) on `line`, or says the server cannot
--   upgrade      {from, to, expect = {...}}: :NixlsPreviewUpgrade offers `to` after the pin
--                `from`, opens the markdown report, and "Apply N edits" puts every
--                `expect` string into the flake.nix buffer
-- vim.ui.select / vim.ui.input are replaced by stubs that record the prompt and answer.
-- Optional NIXLS_ASSIST_CMD (JSON argv) replaces the config's cmd, e.g. to run the
-- server from a source checkout. Exits 0 when every check passed, 1 otherwise.

local TIMEOUT = tonumber(os.getenv('NIXLS_NVIM_TIMEOUT_MS') or '30000')
local failures = 0

local function log(msg)
  io.stdout:write(msg .. '\n')
  io.stdout:flush()
end

local function fail(msg)
  failures = failures + 1
  log('FAIL ' .. msg)
end

local function finish()
  if failures == 0 then
    log('nvim e2e: all checks passed')
    vim.cmd('qall!')
  else
    log(('nvim e2e: %d check(s) failed'):format(failures))
    vim.cmd('cquit 1')
  end
end

local function read_json(path)
  local fd = assert(io.open(path, 'r'), 'cannot open ' .. path)
  local text = fd:read('*a')
  fd:close()
  return vim.json.decode(text)
end

local function our_diagnostics(buf)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local lsp = d.user_data and d.user_data.lsp or {}
    if lsp.code or d.code then
      out[#out + 1] = { code = lsp.code or d.code, line = d.lnum, col = d.col, message = d.message }
    end
  end
  return out
end

local function has_diagnostic(buf, code, line)
  for _, d in ipairs(our_diagnostics(buf)) do
    if d.code == code and (line == nil or d.line == line) then
      return true
    end
  end
  return false
end

local function describe(buf)
  local parts = {}
  for _, d in ipairs(our_diagnostics(buf)) do
    parts[#parts + 1] = ('%s@%d:%d %s'):format(d.code, d.line, d.col, d.message)
  end
  return '[' .. table.concat(parts, '; ') .. ']'
end

local function float_text()
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(win).relative ~= '' then
      local buf = vim.api.nvim_win_get_buf(win)
      return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n'), win
    end
  end
  return nil
end

local function check_definition(buf, d)
  vim.api.nvim_win_set_cursor(0, { d.line + 1, d.character })
  -- CTRL-] is Neovim's own mapping: with an LSP client attached 'tagfunc' asks it.
  pcall(vim.cmd, 'execute "normal! \\<C-]>"')
  local jumped = vim.wait(TIMEOUT, function()
    return vim.api.nvim_buf_get_name(0):sub(-#d.file) == d.file
  end, 50)
  local row = vim.api.nvim_win_get_cursor(0)[1] - 1
  if jumped and row == d.declared_line then
    log(('ok CTRL-] jumped to %s:%d'):format(d.file, row))
  else
    fail(('CTRL-] landed in %s:%d, expected %s:%d'):format(
      vim.api.nvim_buf_get_name(0), row, d.file, d.declared_line))
  end
  vim.cmd.buffer(buf)
end

local function check_symbols(s)
  vim.fn.setloclist(0, {})
  vim.cmd('normal gO') -- the default mapping: vim.lsp.buf.document_symbol()
  local filled = vim.wait(TIMEOUT, function()
    return #vim.fn.getloclist(0) > 0
  end, 50)
  local texts = {}
  for _, item in ipairs(vim.fn.getloclist(0)) do
    texts[#texts + 1] = item.text
  end
  local all = table.concat(texts, '\n')
  for _, needle in ipairs(s.contains) do
    if filled and all:find(needle, 1, true) then
      log(('ok gO lists %q'):format(needle))
    else
      fail(('gO location list lacks %q; it holds:\n%s'):format(needle, all))
    end
  end
  pcall(vim.cmd.lclose)
end

-- vim.ui stubs: the next answer is set by the check, each call is recorded
local ui = { calls = {}, messages = {} }
local notify = vim.notify
vim.notify = function(msg, level, opts)
  ui.messages[#ui.messages + 1] = msg
  return notify(msg, level, opts)
end
vim.ui.select = function(items, opts, on_choice)
  local shown = {}
  for i, item in ipairs(items) do
    shown[i] = opts.format_item and opts.format_item(item) or tostring(item)
  end
  ui.calls[#ui.calls + 1] = { kind = 'select', prompt = opts.prompt, items = shown }
  local answer = ui.answer
  ui.answer = nil
  for i, text in ipairs(shown) do
    if answer and text:find(answer, 1, true) then
      return on_choice(items[i], i)
    end
  end
  on_choice(nil, nil)
end
vim.ui.input = function(opts, on_confirm)
  ui.calls[#ui.calls + 1] = { kind = 'input', prompt = opts.prompt }
  local answer = ui.answer
  ui.answer = nil
  on_confirm(answer)
end

local function next_call(kind, since)
  local found = vim.wait(TIMEOUT, function()
    return #ui.calls > since and ui.calls[#ui.calls].kind == kind
  end, 50)
  return found and ui.calls[#ui.calls] or nil
end

local function messages_since(n)
  return table.concat(vim.list_slice(ui.messages, n + 1), '\n')
end

local function check_configurations(buf, c)
  -- the code lens appears once the server has read the fleet
  local lens
  vim.wait(TIMEOUT, function()
    vim.lsp.codelens.refresh({ bufnr = buf })
    for _, l in ipairs(vim.lsp.codelens.get(buf)) do
      if l.command and l.command.title:find('configuration', 1, true) then
        lens = l
      end
    end
    return lens ~= nil
  end, 200)
  if not lens then
    return fail('no code lens naming configurations')
  end
  log(('ok code lens: %s'):format(lens.command.title))
  local function offered(how, call)
    if not call then
      return fail(how .. ' offered no pick list')
    end
    local all = table.concat(call.items, ' | ')
    for _, name in ipairs(c.names) do
      if all:find(name, 1, true) then
        log(('ok %s offers %s'):format(how, name))
      else
        fail(('%s lacks %s: %s'):format(how, name, all))
      end
    end
  end
  -- running the lens: the same pick list (vim.lsp.commands handler)
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  local n = #ui.calls
  vim.lsp.codelens.run()
  offered('running the code lens', next_call('select', n))
  vim.cmd.buffer(buf)
  n = #ui.calls
  ui.answer = c.pick
  vim.cmd('NixlsConfigurations')
  local call = next_call('select', n)
  offered(':NixlsConfigurations', call)
  log('  prompt: ' .. tostring(call and call.prompt))
  local landed = vim.wait(TIMEOUT, function()
    return vim.api.nvim_buf_get_name(0):sub(-#'/flake.nix') == '/flake.nix'
  end, 50)
  local row = vim.api.nvim_win_get_cursor(0)[1] - 1
  if landed and row == c.flake_line then
    log(('ok picking %s opened flake.nix:%d'):format(c.pick, row))
  else
    fail(('picking %s landed in %s:%d, expected flake.nix:%d'):format(
      c.pick, vim.api.nvim_buf_get_name(0), row, c.flake_line))
  end
  vim.cmd.buffer(buf)
end

local function check_importing(buf, c)
  local n = #ui.messages
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  vim.cmd('NixlsParentModule')
  if c.unsupported then
    local told = vim.wait(TIMEOUT, function()
      return messages_since(n):find('cannot find importing files', 1, true) ~= nil
    end, 50)
    if told then
      log('ok :NixlsParentModule: the server has no experimental/parentModule, and the user is told')
    else
      fail(':NixlsParentModule said nothing about the missing request: ' .. messages_since(n))
    end
    return
  end
  local jumped = vim.wait(TIMEOUT, function()
    return vim.api.nvim_buf_get_name(0):sub(-#c.file) == c.file
  end, 50)
  local row = vim.api.nvim_win_get_cursor(0)[1] - 1
  if jumped and row == c.line then
    log(('ok :NixlsParentModule jumped to %s:%d'):format(c.file, row))
  else
    fail((':NixlsParentModule landed in %s:%d, expected %s:%d; messages: %s'):format(
      vim.api.nvim_buf_get_name(0), row, c.file, c.line, messages_since(n)))
  end
  vim.cmd.buffer(buf)
end

local function check_upgrade(buf, u)
  local n = #ui.calls
  ui.answer = u.to
  vim.cmd('NixlsPreviewUpgrade')
  local pick = next_call('select', n)
  if not pick then
    return fail(':NixlsPreviewUpgrade offered no releases')
  end
  log(('ok :NixlsPreviewUpgrade offers %s (%s)'):format(table.concat(pick.items, ' '), pick.prompt))
  if not pick.prompt:find('Pinned to ' .. u.from, 1, true) then
    fail('the pick list does not name the pin ' .. u.from)
  end
  n = #ui.calls
  local report
  vim.wait(TIMEOUT, function()
    for _, b in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_get_name(b):find('nixls%-assist://upgrade') then
        report = b
      end
    end
    return report ~= nil and #ui.calls > n
  end, 50)
  if not report then
    return fail(':NixlsPreviewUpgrade opened no report buffer')
  end
  local first = vim.api.nvim_buf_get_lines(report, 0, 1, false)[1]
  if vim.bo[report].filetype == 'markdown' and first:find('Upgrade to NixOS ' .. u.to, 1, true) then
    log(('ok report buffer (filetype markdown): %s'):format(first))
  else
    fail(('report buffer: filetype %s, first line %q'):format(vim.bo[report].filetype, first))
  end
  local offer = ui.calls[#ui.calls]
  local apply = offer.kind == 'select' and offer.items[1] or ''
  if not apply:match('^Apply %d+ edits?$') then
    return fail('no "Apply N edits" offered: ' .. vim.inspect(offer))
  end
  log(('ok offered %q (%s)'):format(apply, offer.prompt))
  -- answer again, this time applying
  vim.api.nvim_set_current_win(vim.fn.bufwinid(report))
  ui.answer = 'Apply'
  n = #ui.calls
  vim.cmd('NixlsPreviewUpgrade ' .. u.to)
  next_call('select', n)
  local flake = vim.fn.bufnr(vim.fn.getcwd() .. '/flake.nix')
  local text = ''
  local applied = vim.wait(TIMEOUT, function()
    if flake < 0 then
      flake = vim.fn.bufnr(vim.fn.getcwd() .. '/flake.nix')
      return false
    end
    text = table.concat(vim.api.nvim_buf_get_lines(flake, 0, -1, false), '\n')
    for _, needle in ipairs(u.expect) do
      if not text:find(needle, 1, true) then
        return false
      end
    end
    return true
  end, 50)
  if applied then
    log(('ok the workspace edit was applied: flake.nix buffer reads %s'):format(table.concat(u.expect, ', ')))
  else
    fail('flake.nix buffer lacks ' .. table.concat(u.expect, ', ') .. ':\n' .. text)
  end
end

local function check_file(check)
  log('open ' .. check.file)
  vim.cmd.edit(vim.fn.fnameescape(check.file))
  local buf = vim.api.nvim_get_current_buf()
  if vim.bo[buf].filetype ~= 'nix' then
    fail(('filetype is %q, expected nix'):format(vim.bo[buf].filetype))
    return
  end

  local attached = vim.wait(TIMEOUT, function()
    return #vim.lsp.get_clients({ bufnr = buf, name = 'nixls_assist' }) > 0
  end, 50)
  if not attached then
    fail('nixls_assist did not attach to ' .. check.file)
    return
  end
  local client = vim.lsp.get_clients({ bufnr = buf, name = 'nixls_assist' })[1]
  log(('attached: %s (root %s)'):format(client.name, tostring(client.root_dir)))

  for _, want in ipairs(check.diagnostics or {}) do
    local ok = vim.wait(TIMEOUT, function()
      return has_diagnostic(buf, want.code, want.line)
    end, 50)
    if ok then
      log(('ok diagnostic %s on line %d'):format(want.code, want.line))
    else
      fail(('no %s diagnostic on line %d; got %s'):format(want.code, want.line, describe(buf)))
    end
  end

  for _, code in ipairs(check.absent or {}) do
    if has_diagnostic(buf, code, nil) then
      fail(('%s reported although the settings ignore it: %s'):format(code, describe(buf)))
    else
      log(('ok %s not reported (settings reached the server)'):format(code))
    end
  end

  if check.hover then
    local h = check.hover
    vim.api.nvim_win_set_cursor(0, { h.line + 1, h.character })
    vim.lsp.buf.hover()
    local text
    vim.wait(TIMEOUT, function()
      text = float_text()
      return text ~= nil
    end, 50)
    if not text then
      fail(('hover at %d:%d opened no window'):format(h.line, h.character))
    else
      log('hover text:\n  ' .. text:gsub('\n', '\n  '))
      for _, needle in ipairs(h.contains or {}) do
        if text:find(needle, 1, true) then
          log(('ok hover contains %q'):format(needle))
        else
          fail(('hover lacks %q; it reads:\n%s'):format(needle, text))
        end
      end
      local _, win = float_text()
      if win then
        vim.api.nvim_win_close(win, true)
      end
    end
  end

  if check.definition then
    check_definition(buf, check.definition)
  end
  if check.symbols then
    check_symbols(check.symbols)
  end

  if check.configurations then
    check_configurations(buf, check.configurations)
  end
  if check.importing then
    check_importing(buf, check.importing)
  end
  if check.upgrade then
    check_upgrade(buf, check.upgrade)
  end

  if check.fix then
    local f = check.fix
    vim.api.nvim_win_set_cursor(0, { f.line + 1, f.character })
    local offered = {}
    vim.lsp.buf.code_action({
      context = { only = { 'quickfix' } },
      filter = function(action)
        offered[#offered + 1] = action.title
        return action.title:find(f.title, 1, true) ~= nil
      end,
      apply = true,
    })
    local want = f.expect_line
    local rewritten = vim.wait(TIMEOUT, function()
      return vim.api.nvim_buf_get_lines(buf, f.line, f.line + 1, false)[1] == want
    end, 50)
    local got = vim.api.nvim_buf_get_lines(buf, f.line, f.line + 1, false)[1]
    if rewritten then
      log(('ok quick fix rewrote line %d to %q'):format(f.line, got))
      local gone = vim.wait(TIMEOUT, function()
        return not has_diagnostic(buf, f.code, f.line)
      end, 50)
      if gone then
        log(('ok %s gone after the fix'):format(f.code))
      else
        fail(('%s still reported after the fix: %s'):format(f.code, describe(buf)))
      end
    else
      fail(('quick fix %q not applied: line %d reads %q; actions offered: %s'):format(
        f.title, f.line, tostring(got), table.concat(offered, ' | ')))
    end
  end
end

local function main()
  local spec_path = os.getenv('NIXLS_NVIM_SPEC')
  if not spec_path then
    fail('NIXLS_NVIM_SPEC is not set')
    return finish()
  end
  local spec = read_json(spec_path)
  if vim.fn.has('nvim-0.11') ~= 1 then
    fail('Neovim 0.11+ required, this is ' .. tostring(vim.version()))
    return finish()
  end
  log('neovim ' .. tostring(vim.version()))
  local cmd = os.getenv('NIXLS_ASSIST_CMD')
  if cmd and cmd ~= '' then
    vim.lsp.config('nixls_assist', { cmd = vim.json.decode(cmd) })
  end
  if spec.settings then
    vim.lsp.config('nixls_assist', { settings = { ['nixls-assist'] = spec.settings } })
  end
  local resolved = vim.lsp.config.nixls_assist
  if not resolved or not resolved.filetypes or resolved.filetypes[1] ~= 'nix' then
    fail('lsp/nixls_assist.lua was not found on the runtimepath')
    return finish()
  end
  vim.lsp.enable('nixls_assist')
  for _, check in ipairs(spec.checks) do
    local ok, err = pcall(check_file, check)
    if not ok then
      fail('error: ' .. tostring(err))
    end
  end
  finish()
end

local ok, err = pcall(main)
if not ok then
  -- an error outside a check would leave a headless Neovim running: report and exit
  fail('error: ' .. tostring(err))
  finish()
end
