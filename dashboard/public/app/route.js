// Hash-route helpers shared by the views.

/** The `?…` part of the hash route, e.g. `next` on the sign-in page. */
export function hashQuery() {
  return new URLSearchParams(location.hash.split("?")[1] ?? "");
}

/** @param {string} hashPath e.g. "/seller/listings" */
export function go(hashPath) {
  location.hash = `#${hashPath}`;
}
