-- wrk script for the cpa serve benchmark (docs/performance.md): sends pre-signed SigV4 requests.
--
--   wrk -t2 -c32 -d10s -s bench/serve/signed.lua http://127.0.0.1:PORT -- REQUESTS.lua
--
-- REQUESTS.lua is written by scripts/bench-serve: `return { "<raw HTTP/1.1 request>", ... }`, each a
-- complete request (request line, Host, X-Amz-Date, Authorization, Content-Length, body) signed with
-- botocore for Host 127.0.0.1:PORT. Each connection cycles through them. wrk adds nothing: the raw
-- bytes are sent as they were signed.
--
-- Every response is checked: the status of anything but 2xx is counted (wrk itself only counts
-- status > 399) and the first one kept. done() prints one line `CPA_BENCH_RESULT {json}`.

-- Globals, not locals: done() reads them from each thread with thread:get().
requests = nil
next_index = 1
non2xx = 0
first_bad_status = 0
first_bad_body = ""
thread_id = 0

function init(args)
  local path = args[1]
  if path == nil then
    error("signed.lua: pass the request file after --")
  end
  requests = dofile(path)
  if type(requests) ~= "table" or #requests == 0 then
    error("signed.lua: no requests in " .. path)
  end
  -- Spread the threads over the list so that they do not all send the same signature at once.
  next_index = (thread_id * 7) % #requests + 1
end

function request()
  local r = requests[next_index]
  next_index = next_index + 1
  if next_index > #requests then next_index = 1 end
  return r
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if first_bad_status == 0 then
      first_bad_status = status
      first_bad_body = string.sub(body or "", 1, 400)
    end
  end
end

local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

local function json_string(s)
  s = string.gsub(s, '[%c"\\]', function(c)
    return string.format("\\u%04x", string.byte(c))
  end)
  return '"' .. s .. '"'
end

function done(summary, latency, requests_stats)
  local bad, bad_status, bad_body = 0, 0, ""
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non2xx") or 0)
    local s = t:get("first_bad_status") or 0
    if bad_status == 0 and s ~= 0 then
      bad_status = s
      bad_body = t:get("first_bad_body") or ""
    end
  end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  local fields = {
    string.format('"requests":%d', summary.requests),
    string.format('"duration_s":%.6f', seconds),
    string.format('"requests_per_s":%.2f', summary.requests / seconds),
    string.format('"bytes":%d', summary.bytes),
    string.format('"latency_us":{"mean":%.1f,"stdev":%.1f,"max":%d,"p50":%d,"p90":%d,"p99":%d,"p999":%d}',
      latency.mean, latency.stdev, latency.max, latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency:percentile(99.9)),
    string.format('"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d}',
      e.connect, e.read, e.write, e.timeout),
    string.format('"wrk_status_errors":%d', e.status),
    string.format('"non2xx":%d', bad),
    string.format('"first_non2xx_status":%d', bad_status),
    '"first_non2xx_body":' .. json_string(bad_body),
  }
  io.write("CPA_BENCH_RESULT {" .. table.concat(fields, ",") .. "}\n")
end
