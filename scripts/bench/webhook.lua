-- wrk script for scripts/bench-webhooks.sh: POSTs the body in $BENCH_BODY with the
-- signature in $BENCH_SIGNATURE and, with BENCH_UNIQUE=1, a new
-- X-Atlassian-Webhook-Identifier per request (the signature covers only the body), so
-- that every delivery is a new one. No response() hook: parsing each answer in Lua would
-- slow wrk down on the same two cores; the harness counts what was stored instead.

local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
  wrk.method = "POST"
  wrk.body = file:read("*a")
  file:close()
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["X-Hub-Signature"] = os.getenv("BENCH_SIGNATURE")
  unique = os.getenv("BENCH_UNIQUE") == "1"
  prefix = string.format("bench-%d-%d-", os.time(), tid)
  sent = 0
end

function request()
  if unique then
    sent = sent + 1
    wrk.headers["X-Atlassian-Webhook-Identifier"] = prefix .. sent
  end
  return wrk.format()
end

function done(summary, latency, requests)
  io.write(string.format("requests/s: %.0f (%d in %.1f s, %d errors)\n",
    summary.requests / (summary.duration / 1e6), summary.requests, summary.duration / 1e6,
    summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout))
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("p%s latency: %.2f ms\n", p, latency:percentile(p) / 1000))
  end
end
