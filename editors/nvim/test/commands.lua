-- The client side of lua/nixls_assist/commands.lua in a real, headless Neovim (0.11+), without
-- the Python server: the answer helpers, and :NixlsParentModule against a fake in-process
-- server that answers `experimental/parentModule` (one location, several, none).
--
--   NIXLS_NVIM_DIR=<empty scratch dir> nvim --headless --clean \
--     --cmd 'set rtp^=editors/nvim' -c 'luafile editors/nvim/test/commands.lua'
--
-- Prints "ok …" / "FAIL …" lines and exits 0 when every check passed.
local failures = 0
local function log(msg)
  io.stdout:write(msg .. '\n')
  io.stdout:flush()
end
local function check(cond, what, got)
  if cond then
    log('ok ' .. what)
  else
    failures = failures + 1
    log('FAIL ' .. what .. (got ~= nil and (': got ' .. vim.inspect(got)) or ''))
  end
end

local commands = require('nixls_assist.commands')

-- -- answer helpers (the same cases as editors/vscode/test/unit/navigation.test.ts) ----------
local FLAKE = {
  '{',
  '  outputs = { self, nixpkgs, ... }:',
  '    let',
  '      mkHost = name: nixpkgs.lib.nixosSystem { modules = [ ./hosts/${name} ]; };',
  '    in',
  '    {',
  '      nixosConfigurations = {',
  '        kestrel = mkHost "kestrel";',
  '        "osprey" = mkHost "osprey";',
  '      };',
  '      nixosConfigurations.heron = mkHost "heron";',
  '      darwinConfigurations = nixpkgs.lib.genAttrs [ "wren" "finch" ] mkMac;',
  '      deploy.nodes.kestrel.path = self.nixosConfigurations.kestrel;',
  '    };',
  '}',
}
local function item(attribute)
  return commands.configuration_items({ attribute })[1]
end
local function at(line)
  return { uri = 'file:///srv/fleet/flake.nix', range = { start = { line = line, character = 8 }, ['end'] = { line = line, character = 15 } } }
end
local found = commands.configuration_locations({
  { name = 'nixosConfigurations.kestrel', kind = 2, location = at(7) },
  { name = 'nixosConfigurations.kestrel-2', kind = 2, location = at(8) },
  { name = 'nixosConfigurations.kestrel', kind = 2, location = at(30) },
  { name = 'nixosConfigurations.osprey', kind = 7, location = at(9) }, -- a property: an option
}, { 'nixosConfigurations.kestrel', 'nixosConfigurations.osprey' })
check(vim.deep_equal(found, { ['nixosConfigurations.kestrel'] = at(7) }),
  'configuration_locations: the Module symbols named by the attributes asked for, first one each', found)
check(next(commands.configuration_locations(vim.NIL, { 'a.b' })) == nil, 'configuration_locations: nothing from no answer')
local quoted = item('homeConfigurations."alice@wren"')
check(quoted.name == 'alice@wren' and quoted.output == 'homeConfigurations', 'configuration_items: a quoted name', quoted)
local count, files = commands.count_edits({
  changes = { ['file:///a/flake.nix'] = { {}, {} }, ['file:///a/k.nix'] = { {} } },
  documentChanges = { { textDocument = { uri = 'file:///a/b.nix' }, edits = { {} } } },
})
check(count == 4 and files == 3, 'count_edits: changes and documentChanges', { count, files })

-- -- :NixlsParentModule against a fake server ------------------------------------------------
local dir = assert(os.getenv('NIXLS_NVIM_DIR'), 'NIXLS_NVIM_DIR is not set')
local function write(rel, lines)
  vim.fn.mkdir(vim.fs.dirname(dir .. '/' .. rel), 'p')
  vim.fn.writefile(lines, dir .. '/' .. rel)
  return dir .. '/' .. rel
end
write('flake.nix', FLAKE)
local host_a = write('hosts/a.nix', { '{ ... }:', '{', '  imports = [', '    ../modules/shared.nix', '  ];', '}' })
write('hosts/b.nix', { '{ ... }:', '{', '  imports = [ ../modules/shared.nix ];', '}' })
local shared = write('modules/shared.nix', { '{ ... }:', '{', '  networking.firewall.enable = true;', '}' })

local function location(path, line, character)
  return {
    uri = vim.uri_from_fname(path),
    range = { start = { line = line, character = character }, ['end'] = { line = line, character = character + 20 } },
  }
end
local answer
local asked = {}
local function fake_server(_dispatchers)
  local closing = false
  local id = 0
  return {
    request = function(method, params, callback)
      id = id + 1
      local result
      if method == 'initialize' then
        result = { capabilities = { experimental = { parentModule = true } } }
      elseif method == commands.PARENT_MODULE then
        asked[#asked + 1] = params
        result = answer
      end
      vim.schedule(function()
        callback(nil, result)
      end)
      return true, id
    end,
    notify = function()
      return true
    end,
    is_closing = function()
      return closing
    end,
    terminate = function()
      closing = true
    end,
  }
end

local selects = {}
local pick
vim.ui.select = function(items, opts, on_choice)
  local shown = vim.tbl_map(opts.format_item or tostring, items)
  selects[#selects + 1] = { prompt = opts.prompt, items = shown }
  on_choice(pick and items[pick] or nil, pick)
end
local messages = {}
vim.notify = function(msg)
  messages[#messages + 1] = msg
end

local function open_shared()
  vim.cmd.edit(vim.fn.fnameescape(shared))
  local buf = vim.api.nvim_get_current_buf()
  if #vim.lsp.get_clients({ bufnr = buf, name = 'nixls_assist' }) == 0 then
    vim.lsp.start({ name = 'nixls_assist', cmd = fake_server, root_dir = dir }, { bufnr = buf })
    vim.wait(5000, function()
      local c = vim.lsp.get_clients({ bufnr = buf, name = 'nixls_assist' })[1]
      return c ~= nil and c.initialized
    end, 20)
  end
  vim.api.nvim_win_set_cursor(0, { 3, 4 })
  return buf
end

local function where()
  return vim.fn.fnamemodify(vim.api.nvim_buf_get_name(0), ':t'), vim.api.nvim_win_get_cursor(0)[1] - 1
end

-- one importing file: jump to it
open_shared()
answer = { location(dir .. '/flake.nix', 3, 50) }
vim.cmd('NixlsParentModule')
vim.wait(5000, function()
  return (where()) == 'flake.nix'
end, 20)
local name, row = where()
check(name == 'flake.nix' and row == 3, ':NixlsParentModule with one location jumps there', { name, row })
check(#asked == 1 and asked[1].position.line == 2 and asked[1].position.character == 4
  and asked[1].textDocument.uri == vim.uri_from_fname(shared),
  'experimental/parentModule was asked with the cursor position (TextDocumentPositionParams)', asked[1])

-- several: a pick list; the second one chosen
open_shared()
answer = { location(host_a, 3, 4), location(dir .. '/hosts/b.nix', 2, 14) }
pick = 2
vim.cmd('NixlsParentModule')
vim.wait(5000, function()
  return (where()) == 'b.nix'
end, 20)
name, row = where()
local last = selects[#selects] or { items = {} }
check(#last.items == 2 and last.items[1] == 'hosts/a.nix:4' and last.items[2] == 'hosts/b.nix:3',
  ':NixlsParentModule with two locations offers both', last)
check(name == 'b.nix' and row == 2, 'choosing the second jumps to it', { name, row })

-- none: a message
open_shared()
answer = vim.NIL
local before = #messages
vim.cmd('NixlsParentModule')
vim.wait(5000, function()
  return #messages > before
end, 20)
check((messages[#messages] or ''):find('no file is known to import modules/shared.nix', 1, true) ~= nil,
  ':NixlsParentModule with no location says so', messages[#messages])
name = where()
check(name == 'shared.nix', 'and stays in the file')

log(failures == 0 and 'nvim commands: all checks passed' or ('nvim commands: %d check(s) failed'):format(failures))
vim.cmd(failures == 0 and 'qall!' or 'cquit 1')
