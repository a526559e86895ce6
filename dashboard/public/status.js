// Shows /healthz on the landing page: one line per dependency with its status and latency.
const statusEl = document.getElementById("status");
const list = document.getElementById("checks");

async function refresh() {
  try {
    const res = await fetch("/healthz", { cache: "no-store" });
    const body = await res.json();
    if (!body.checks) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
    statusEl.textContent =
      body.status === "ok" ? "All systems operational." : "Degraded: some dependencies are failing.";
    list.replaceChildren(
      ...Object.entries(body.checks).map(([name, check]) => {
        const li = document.createElement("li");
        const label = document.createElement("span");
        label.textContent = name;
        const value = document.createElement("span");
        value.className = check.status;
        value.textContent = check.status === "ok" ? `ok · ${check.latencyMs} ms` : `error · ${check.error ?? ""}`;
        li.append(label, value);
        return li;
      }),
    );
  } catch (err) {
    statusEl.textContent = `Could not reach the gateway: ${err.message}`;
  }
}

refresh();
setInterval(refresh, 10_000);
