-- Take a lock if nobody holds it (used for the settlement run lock).
-- KEYS[1]  lock key
-- ARGV[1]  token: a random string that identifies this holder
-- ARGV[2]  ttl in milliseconds: the lock frees itself after this even if the holder dies
-- Returns 1 if taken, 0 if someone else holds it.
if redis.call("SET", KEYS[1], ARGV[1], "NX", "PX", tonumber(ARGV[2])) then
  return 1
end
return 0
