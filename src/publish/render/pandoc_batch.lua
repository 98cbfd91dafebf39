-- Many Markdown texts to HTML in one pandoc process: `pandoc lua -E pandoc_batch.lua`,
-- run by render/pandoc.py (`run_pandoc_batch`), which holds every option it uses.
--
-- stdin:  {"reader": FORMAT, "writer": "html5", "options": {...}, "texts": [TEXT, ...]}
-- stdout: [{"html": HTML, "log": [MESSAGE, ...]}, ...], one per text, in order; each
--         message encodes as the JSON `pandoc --log` writes (type, verbosity, line, pretty).
-- stderr: a text's index (from 0) before pandoc starts on it, so that a run stopped at a
--         limit can say which text it was on.
--
-- Nothing here reads a file or the network, which is why `--sandbox` (the pandoc
-- command's option, which `pandoc lua` does not take) is not missed: the Markdown reader
-- and an HTML fragment writer without a template, `embed_resources` or `extract_media`
-- only name images and links, never open them. The script requires no module; `-E`
-- keeps LUA_INIT from running code before it.

local input = pandoc.json.decode(io.read('a'), false)
local results = {}
for index, text in ipairs(input.texts) do
  io.stderr:write(index - 1, '\n')
  local log, html = pandoc.log.silence(function ()
    return pandoc.write(pandoc.read(text, input.reader), input.writer, input.options)
  end)
  -- `silence` hands the messages back newest first; `--log` writes them oldest first.
  local messages = {}
  for position = #log, 1, -1 do
    messages[#messages + 1] = log[position]
  end
  -- The pandoc command ends its output with a newline; the writer does not.
  results[index] = {html = html .. '\n', log = messages}
end
io.write(pandoc.json.encode(results))
