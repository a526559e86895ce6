-- Consume a sign-in nonce: read and delete in one step, so it is answered at most once even
-- under concurrency. It is deleted whoever claims it (a wrong wallet burns it too: no guessing).
-- KEYS[1]  nonce key: auth:nonce:<nonce> (a hash: wallet, issued_at, expires_at, origin)
-- ARGV[1]  wallet address (base58) that claims the nonce
-- Returns {"ok", issued_at, expires_at, origin} | {"missing"} (unknown, expired or used) | {"wrong_wallet"}.
local fields = redis.call("HMGET", KEYS[1], "wallet", "issued_at", "expires_at", "origin")
if not fields[1] then
  return { "missing" }
end
redis.call("DEL", KEYS[1])
if fields[1] ~= ARGV[1] then
  return { "wrong_wallet" }
end
return { "ok", fields[2], fields[3], fields[4] }
