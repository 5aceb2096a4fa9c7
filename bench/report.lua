-- wrk script: print one JSON line with throughput and latency percentiles (milliseconds).
-- With WRK_UNIQUE=1 every request gets a unique query parameter, so no cache can answer it:
-- unique across runs too (WRK_SALT names the run), or a later round would ask an earlier one's.
local unique = os.getenv("WRK_UNIQUE") == "1"
local salt = os.getenv("WRK_SALT") or tostring(os.time())
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  n = 0
end

function request()
  if unique then
    n = n + 1
    local sep = string.find(wrk.path, "?", 1, true) and "&" or "?"
    return wrk.format(nil, wrk.path .. sep .. "n=" .. salt .. "-" .. id .. "-" .. n)
  end
  return wrk.format(nil, wrk.path)
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "rps": %.1f, "p50": %.3f, "p95": %.3f, "p99": %.3f, "errors": %d, "bytes": %d}\n',
    summary.requests, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    errors, summary.bytes))
end
