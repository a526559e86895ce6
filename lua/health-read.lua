-- Read a listing's health window: every bucket's counters in one atomic step.
-- KEYS[1..n]  the window's bucket hashes, oldest first: health:{<listing id>}:<bucket start, epoch ms>
-- ARGV[1]     number of histogram slots (13: fields h0..h12)
-- Returns one flat array, per bucket in KEYS order: n, ok, ce, err, rl, lat_n, lat_sum, h0..h<ARGV[1]-1>
-- (missing buckets and fields are 0).
local slots = tonumber(ARGV[1])
local fields = { "n", "ok", "ce", "err", "rl", "lat_n", "lat_sum" }
for i = 0, slots - 1 do
  fields[#fields + 1] = "h" .. i
end
local out = {}
for _, key in ipairs(KEYS) do
  local values = redis.call("HMGET", key, unpack(fields))
  for i = 1, #fields do
    out[#out + 1] = tonumber(values[i]) or 0
  end
end
return out
