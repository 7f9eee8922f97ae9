-- wrk script for bench/run.py: every connection sends its own members' check-ins.
--
-- HOCTAP_BENCH_PAIRS names a file of "cookie path" lines (a member's session cookie and the
-- projector's QR path of one segment). Thread k of HOCTAP_BENCH_THREADS takes every line
-- whose number is k modulo the thread count, so no two threads send the same pair and each
-- pair is a new check-in until a thread has gone through its share. done() prints one JSON
-- line (microseconds) that bench/run.py reads.

local counter = 0

function setup(thread)
  thread:set("thread_number", counter)
  counter = counter + 1
end

function init(args)
  local threads = tonumber(os.getenv("HOCTAP_BENCH_THREADS") or "1")
  requests = {}
  local line_number = 0
  for line in io.lines(os.getenv("HOCTAP_BENCH_PAIRS")) do
    if line_number % threads == thread_number then
      local cookie, path = line:match("^(%S+) (%S+)$")
      requests[#requests + 1] = wrk.format("GET", path, { ["Cookie"] = cookie })
    end
    line_number = line_number + 1
  end
  sent = 0
end

function request()
  sent = sent + 1
  return requests[(sent - 1) % #requests + 1]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, '
      .. '"status": %d, "timeout": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max
  ))
end
