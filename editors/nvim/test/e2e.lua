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
