import { html } from 'hono/html';
import { backoffSeconds, MAX_RETRIES } from '../../../shared/consume';
import { REDRIVE_ATTEMPTS } from '../../../shared/webhook-job';
import type { Operator } from '../operators';

const STYLE = `
:root{color-scheme:light dark;--fg:#1b1f24;--bg:#f6f7f9;--card:#fff;--muted:#5b6470;--line:#d7dbe0;--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--acc:#0969da}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--card:#161b22;--muted:#9aa4af;--line:#30363d;--acc:#4493f8}}
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;padding:.6rem 1rem;border-bottom:1px solid var(--line);background:var(--card);position:sticky;top:0;z-index:1}
header h1{font-size:1.05rem;margin:0}nav{display:flex;flex-wrap:wrap;gap:.25rem .75rem}nav a{color:var(--acc)}
main{max-width:1200px;margin:0 auto;padding:1rem;display:grid;gap:1rem}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:1rem;overflow-x:auto}
h2{font-size:1rem;margin:0 0 .6rem}table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
button,input,select{font:inherit;padding:.35rem .6rem;border:1px solid var(--line);border-radius:6px;background:var(--card);color:var(--fg)}
button{cursor:pointer}button.danger{color:var(--bad)}:focus-visible{outline:3px solid var(--acc);outline-offset:2px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:.6rem}
.stat{border:1px solid var(--line);border-radius:6px;padding:.5rem}.stat b{display:block;font-size:1.3rem}
.muted{color:var(--muted)}.bad{color:var(--bad)}.ok{color:var(--ok)}pre{white-space:pre-wrap;word-break:break-all;font-size:.8rem;max-height:20rem;overflow:auto}
form.inline{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}label{display:grid;gap:.15rem;font-size:.85rem}
svg text{fill:var(--fg);font-size:11px}svg .node rect{fill:var(--card);stroke:var(--line)}svg .edge{stroke:var(--muted);fill:none}
.sr{position:absolute;left:-9999px}
.pager{display:flex;gap:.5rem;margin-top:.5rem}
@media (max-width:600px){main{padding:.5rem}section{padding:.6rem}th,td{padding:.25rem}}
`;

const CSP =
  "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";
export const dashboardHeaders = { 'Content-Security-Policy': CSP, 'Cache-Control': 'no-store' };

/** Seconds from the first failure to the dead letter, for `attempts` attempts with the consumers' backoff. */
export function secondsToDeadLetter(attempts: number): number {
  let total = 0;
  for (let n = 1; n < attempts; n++) total += backoffSeconds(n);
  return total;
}

const span = (seconds: number) => (seconds >= 60 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds} s`);
const schedule = (attempts: number) => Array.from({ length: attempts - 1 }, (_, i) => `${backoffSeconds(i + 1)} s`).join(', ');

/** The retry schedules, in words: every inbox, and webhook deliveries (WEBHOOK_MAX_ATTEMPTS, 9 by default). */
export function retrySchedules(webhookAttempts = 9) {
  const inbox = MAX_RETRIES + 1;
  return {
    inbox: `${inbox} attempts, retried after ${schedule(inbox)}: a failing event is a dead letter ${span(secondsToDeadLetter(inbox))} after its first failure.`,
    webhook: `${webhookAttempts} attempts, retried after ${schedule(webhookAttempts)}: a failing delivery is a dead letter ${span(secondsToDeadLetter(webhookAttempts))} after its first failure (WEBHOOK_MAX_ATTEMPTS).`,
    redrive: `A redriven webhook delivery gets ${REDRIVE_ATTEMPTS} attempts, retried after ${schedule(REDRIVE_ATTEMPTS)}: if the receiver is still down it is back here ${span(secondsToDeadLetter(REDRIVE_ATTEMPTS))} later. A redriven event goes back to its inbox with a full schedule.`,
  };
}

function layout(title: string, body: unknown, head: unknown = '') {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
${head}
</head>
<body>${body}</body>
</html>`;
}

export function signInPage(error?: string) {
  return layout(
    'Conveyor — sign in',
    html`<main style="max-width:420px">
<section>
<h1 style="font-size:1.2rem;margin-top:0">Conveyor operations</h1>
<form method="post" action="/dashboard/sign-in" class="inline" style="flex-direction:column;align-items:stretch">
<label for="key">Operator key</label>
<input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
${error ? html`<p role="alert" class="bad">${error}</p>` : ''}
<button type="submit">Sign in</button>
</form>
<p class="muted">The key is exchanged for a signed session cookie (30 minutes); it is not kept in the browser.</p>
<p><a href="/docs">API reference</a> · <a href="/openapi.json">OpenAPI</a></p>
</section>
</main>`,
  );
}

export function dashboardPage(csrf: string, operator: Operator, webhookAttempts?: number) {
  const retries = retrySchedules(webhookAttempts);
  return layout(
    'Conveyor — operations',
    html`<header>
<h1>Conveyor operations</h1>
<nav aria-label="Sections">
<a href="#topology">Topology</a><a href="#saga">Saga</a><a href="#orders">Orders</a><a href="#dead-letters">Dead letters</a><a href="#webhooks">Webhooks</a><a href="#mail">Mail</a><a href="#exceptions">Exceptions</a><a href="/docs">API</a>
</nav>
<label style="margin-left:auto">Window <select id="window" aria-label="Window">
<option value="5m">5 minutes</option><option value="15m" selected>15 minutes</option><option value="1h">1 hour</option><option value="6h">6 hours</option><option value="24h">24 hours</option><option value="7d">7 days</option>
</select></label>
<span class="muted">${operator.name} (${operator.scopes.join(', ')})</span>
<form method="post" action="/dashboard/sign-out"><input type="hidden" name="csrf" value="${csrf}"><button type="submit">Sign out</button></form>
</header>
<main>
<p id="status" class="muted" role="status" aria-live="polite">Loading…</p>
<section id="topology" aria-labelledby="h-topology"><h2 id="h-topology">Live topology</h2>
<p class="muted">Messages per minute over the window, live backlog, dead letters waiting. Updates every 2 s.</p>
<div id="graph"></div></section>
<section id="saga" aria-labelledby="h-saga"><h2 id="h-saga">Saga: latency and outcomes</h2><div id="saga-body"></div></section>
<section id="cost" aria-labelledby="h-cost"><h2 id="h-cost">Billable operations per order</h2><div id="cost-body"></div></section>
<section id="services" aria-labelledby="h-services"><h2 id="h-services">Services by event type</h2><div id="services-body"></div></section>
<section id="orders" aria-labelledby="h-orders"><h2 id="h-orders">Orders</h2>
<form id="order-search" class="inline" role="search"><label for="order-id">Order id</label><input id="order-id" name="id" size="38" required placeholder="8c1e…"><button type="submit">Open</button></form>
<div id="order-body"></div><h3 style="font-size:.95rem">Recent orders</h3><div id="recent-body"></div></section>
<section id="dead-letters" aria-labelledby="h-dl"><h2 id="h-dl">Dead letters</h2>
<p class="muted">Event inboxes: ${retries.inbox}<br>Webhooks: ${retries.webhook}<br>${retries.redrive}</p>
<div id="dl-body"></div>
<h3 style="font-size:.95rem">Replay archived events</h3>
<form id="replay" class="inline"><label>From <input name="from" type="datetime-local" required></label><label>To <input name="to" type="datetime-local" required></label>
<label>Types <input name="types" placeholder="order.*, payment.*"></label><label>Subscribers <input name="subscribers" placeholder="notifications, query"></label><button type="submit">Replay</button></form>
<p id="replay-result" role="status" aria-live="polite"></p></section>
<section id="webhooks" aria-labelledby="h-wh"><h2 id="h-wh">Webhooks</h2><div id="wh-body"></div></section>
<section id="mail" aria-labelledby="h-mail"><h2 id="h-mail">Mail sink</h2><div id="mail-body"></div></section>
<section id="exceptions" aria-labelledby="h-ex"><h2 id="h-ex">Stuck orders and exceptions</h2><div id="ex-body"></div></section>
</main>
<script src="/dashboard/app.js" defer></script>`,
    html`<meta name="csrf-token" content="${csrf}">`,
  );
}
