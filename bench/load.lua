-- wrk script for bench/load.py: one request shape per run, status codes counted per thread.
--
--   wrk -t2 -c50 -d60s --latency -s bench/load.lua http://127.0.0.1:PORT/path -- METHOD BODY_FILE [HEADER ...]
--
-- BODY_FILE is "-" for no body; each HEADER is "Name: value". Every response whose status is not 2xx
-- counts as an error (wrk itself counts only 4xx and 5xx, so a redirect to the sign-in page would pass).
-- done() prints one line "LOAD_JSON {...}" that bench/load.py reads.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = args[1] or "GET"
  local body_file = args[2] or "-"
  if body_file ~= "-" then
    local f = assert(io.open(body_file, "rb"))
    wrk.body = f:read("*a")
    f:close()
  end
  for i = 3, #args do
    local name, value = string.match(args[i], "^([^:]+):%s*(.*)$")
    if name then
      wrk.headers[name] = value
    end
  end
  ok = 0
  not_ok = 0
  statuses = {}
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
  else
    not_ok = not_ok + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local total_ok, total_not_ok, by_status = 0, 0, {}
  for _, thread in ipairs(threads) do
    total_ok = total_ok + thread:get("ok")
    total_not_ok = total_not_ok + thread:get("not_ok")
    for status, count in pairs(thread:get("statuses")) do
      by_status[status] = (by_status[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(by_status) do
    table.insert(parts, string.format('"%d": %d', status, count))
  end
  local e = summary.errors
  io.write(string.format(
    'LOAD_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "ok_2xx": %d, "not_2xx": %d, ' ..
    '"not_2xx_by_status": {%s}, "socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes, total_ok, total_not_ok, table.concat(parts, ", "),
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
