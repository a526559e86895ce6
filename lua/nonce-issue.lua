-- Store a sign-in nonce, bound to the wallet it was issued to, for a limited time.
-- KEYS[1]  nonce key: auth:nonce:<nonce> (a hash: wallet, issued_at, expires_at, origin)
-- ARGV[1]  wallet address (base58) the nonce is issued to
-- ARGV[2]  issued-at in epoch milliseconds (part of the signed message)
-- ARGV[3]  expires-at in epoch milliseconds (part of the signed message)
-- ARGV[4]  origin of the gateway that issued it (part of the signed message)
-- ARGV[5]  time to live in milliseconds (relative, so clock skew with Redis does not matter)
-- Returns 1 if stored, 0 if the key already exists (an existing nonce is never rebound).
if redis.call("EXISTS", KEYS[1]) == 1 then
  return 0
end
redis.call("HSET", KEYS[1], "wallet", ARGV[1], "issued_at", ARGV[2], "expires_at", ARGV[3], "origin", ARGV[4])
redis.call("PEXPIRE", KEYS[1], tonumber(ARGV[5]))
return 1
