-- Add a batch of proxied calls to one of a listing's health buckets (10-second buckets, 5-minute window).
-- KEYS[1]    bucket hash: health:{<listing id>}:<bucket start, epoch ms>
-- ARGV[1]    expiry, epoch ms: bucket start + window + one bucket width (PEXPIREAT; the caller's clock)
-- ARGV[2..8] increments (integers >= 0) of: n calls, ok, ce client errors, err seller errors,
--            rl rate limited, lat_n calls with a latency, lat_sum latency total in ms
-- ARGV[9..]  increments of the latency histogram slots h0, h1, ... (bounds in workers/telemetry/health-window.ts)
-- Returns the bucket's call count after the increment.
local key = KEYS[1]
local fields = { "n", "ok", "ce", "err", "rl", "lat_n", "lat_sum" }
for i = 2, #ARGV do
  local v = tonumber(ARGV[i])
  if not v or v < 0 or v % 1 ~= 0 then
    return redis.error_reply("increments must be integers >= 0")
  end
end
for i, field in ipairs(fields) do
  local v = tonumber(ARGV[i + 1])
  if v > 0 then
    redis.call("HINCRBY", key, field, v)
  end
end
for i = 9, #ARGV do
  local v = tonumber(ARGV[i])
  if v > 0 then
    redis.call("HINCRBY", key, "h" .. (i - 9), v)
  end
end
redis.call("PEXPIREAT", key, ARGV[1])
return tonumber(redis.call("HGET", key, "n") or "0")
