-- Sliding-window rate limit (an exact log): admit a request when fewer than `limit` requests were
-- admitted in the last `window` milliseconds. Only admitted requests are logged, so the set never
-- holds more than `limit` members and a client that keeps hammering does not extend its own wait.
-- KEYS[1]  the log: rl:<tier>:<subject> (a sorted set; member = request id, score = admitted at, epoch ms)
-- ARGV[1]  now, epoch milliseconds (the caller's clock: the script itself reads no time)
-- ARGV[2]  window length in milliseconds (integer >= 1)
-- ARGV[3]  limit: requests admitted per window (integer >= 1)
-- ARGV[4]  member for this request: unique per request (the gateway's request id)
-- Returns { admitted (1 or 0), requests still allowed in the window, retry after in milliseconds (0 when admitted) }.
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
if not now or not window or not limit or window < 1 or limit < 1 then
  return redis.error_reply("now, window and limit must be numbers, window and limit >= 1")
end
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", now - window)
local count = redis.call("ZCARD", KEYS[1])
if count < limit then
  redis.call("ZADD", KEYS[1], now, ARGV[4])
  redis.call("PEXPIRE", KEYS[1], window)
  return { 1, limit - count - 1, 0 }
end
-- Full: a slot frees when the entry `count - limit` (0-based, oldest first) leaves the window.
-- (count can exceed limit right after the limit was lowered.)
local entry = redis.call("ZRANGE", KEYS[1], count - limit, count - limit, "WITHSCORES")
local retry = tonumber(entry[2]) + window - now
if retry < 1 then
  retry = 1
end
return { 0, 0, retry }
