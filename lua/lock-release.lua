-- Release a lock only if we still hold it (compare-and-delete), so a holder whose lock expired
-- and was taken by another run can never release the other run's lock.
-- KEYS[1]  lock key
-- ARGV[1]  token the lock was taken with
-- Returns 1 if released, 0 if the lock was not ours (or already gone).
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0
