-- wrk script: one request per session cookie (from the file in env TOUCH_FILE), each exactly once,
-- then the thread stops. Run with -t1 so a single Lua state walks the list.
local cookies = {}
for line in io.lines(os.getenv("TOUCH_FILE")) do cookies[#cookies + 1] = line end
local host = os.getenv("TOUCH_HOST")
local sent, answered, n = 0, 0, #cookies

request = function()
  sent = sent + 1
  local c = cookies[((sent - 1) % n) + 1]
  return wrk.format("GET", "/", { ["Host"] = host, ["Cookie"] = "moatless_session=" .. c })
end

response = function(status, headers, body)
  answered = answered + 1
  if answered >= n then wrk.thread:stop() end
end
