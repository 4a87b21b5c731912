import { busQueue, inboxQueue, WEBHOOKS_QUEUE } from '../../../shared/queue-names';
import { subscribers } from '../../../shared/subscriptions';

/**
 * The dashboard's script, served as /dashboard/app.js: no framework, no build. It reads the admin
 * API through /dashboard/api/* with the session cookie and sends the CSRF token on every change.
 * Everything from the server is put into the page as text, never as HTML.
 */
export const APP_SCRIPT = String.raw`
'use strict';
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const $ = (id) => document.getElementById(id);
const status = $('status');

function h(tag, attrs, ...children) {
  const ns = ['svg', 'rect', 'text', 'path', 'g', 'title', 'line'].includes(tag) ? 'http://www.w3.org/2000/svg' : null;
  const el = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : String(c));
  return el;
}
const put = (id, ...nodes) => $(id).replaceChildren(...nodes);
const table = (head, rows) => rows.length === 0
  ? h('p', { class: 'muted' }, 'None.')
  : h('table', {}, h('thead', {}, h('tr', {}, head.map((x) => h('th', { scope: 'col' }, x)))), h('tbody', {}, rows.map((r) => h('tr', {}, r.map((x) => h('td', {}, x))))));
const ms = (v) => (v === null || v === undefined ? '–' : v >= 1000 ? (v / 1000).toFixed(2) + ' s' : Math.round(v) + ' ms');
const ago = (iso) => new Date(iso).toLocaleTimeString();

async function api(path, options = {}) {
  const headers = { 'x-csrf-token': csrf };
  if (options.body) headers['content-type'] = 'application/json';
  const res = await fetch('/dashboard/api/' + path, { ...options, headers, credentials: 'same-origin' });
  if (res.status === 401) { location.href = '/'; throw new Error('signed out'); }
  if (res.status === 204) return null;
  const body = await res.json();
  if (!res.ok) throw new Error((body.error && body.error.message) || res.statusText);
  return body;
}

// Where each paged list stands: null is the newest page; 'Older' follows the answer's nextCursor.
const cursors = { dl: null, mail: null, deliveries: null };
const paged = (path, key) => path + (cursors[key] ? '&cursor=' + encodeURIComponent(cursors[key]) : '');
function pager(key, label, nextCursor, reload) {
  const go = (cursor) => { cursors[key] = cursor; reload(); };
  return h('nav', { class: 'pager', 'aria-label': label + ' pages' },
    cursors[key] ? h('button', { type: 'button', onclick: () => go(null) }, '← Newest') : null,
    nextCursor ? h('button', { type: 'button', onclick: () => go(nextCursor), 'aria-label': 'Older ' + label }, 'Older →') : null);
}

const windowMinutes = { '5m': 5, '15m': 15, '1h': 60, '6h': 360, '24h': 1440, '7d': 10080 };
// Each subscriber's inbox, and the other queues, named by shared/queue-names.ts.
const INBOXES = ${JSON.stringify(Object.fromEntries(subscribers.map((s) => [s, inboxQueue(s)])))};
const SUBSCRIBERS = Object.keys(INBOXES);

function topology(report, deadByQueue) {
  const minutes = windowMinutes[report.window];
  const q = Object.fromEntries(report.queues.map((x) => [x.queue, x]));
  const handled = {};
  for (const s of report.services) handled[s.service] = (handled[s.service] || 0) + s.handled;
  const rate = (n) => (n / minutes).toFixed(1) + '/min';
  const W = 900, H = 420, w = 150, hgt = 46;
  const nodes = [];
  const edges = [];
  const node = (id, x, y, title, line, alarm) => { nodes.push({ id, x, y, title, line, alarm }); };
  const queueLine = (name) => {
    const x = q[name] || { delivered: 0, backlog: null };
    const dead = deadByQueue[name] || 0;
    return { line: rate(x.delivered) + ' · backlog ' + (x.backlog ?? '?') + ' · dead ' + dead, alarm: dead > 0 || (x.backlog || 0) > 100 };
  };
  node('gateway', 5, 180, 'gateway', rate(report.saga.placed) + ' orders');
  node('orders-do', 165, 180, 'orders (OrderDO)', 'outbox → bus');
  const bus = queueLine(${JSON.stringify(busQueue(0))});
  node('bus', 325, 180, '[bus]', bus.line, bus.alarm);
  node('router', 485, 180, 'router', rate(handled.router || 0) + ' routed');
  edges.push(['gateway', 'orders-do'], ['orders-do', 'bus'], ['bus', 'router']);
  SUBSCRIBERS.forEach((s, i) => {
    const y = 5 + i * 58;
    const inbox = queueLine(INBOXES[s]);
    node('q-' + s, 645, y, '[' + s + '-inbox]', inbox.line, inbox.alarm);
    edges.push(['router', 'q-' + s]);
  });
  const wh = queueLine(${JSON.stringify(WEBHOOKS_QUEUE)});
  node('q-webhooks', 645, 360, '[webhooks]', wh.line, wh.alarm);
  edges.push(['q-notifications', 'q-webhooks']);
  const by = Object.fromEntries(nodes.map((n) => [n.id, n]));
  const svg = h('svg', { viewBox: '0 0 ' + W + ' ' + H, width: '100%', role: 'img', 'aria-label': 'Workers and queues with message rates, backlog and dead letters' });
  for (const [a, b] of edges) {
    const A = by[a], B = by[b];
    svg.append(h('path', { class: 'edge', d: 'M' + (A.x + w) + ' ' + (A.y + hgt / 2) + ' L' + B.x + ' ' + (B.y + hgt / 2) }));
  }
  for (const n of nodes) {
    svg.append(h('g', { class: 'node' },
      h('rect', { x: n.x, y: n.y, width: w + (n.id.startsWith('q-') ? 100 : 0), height: hgt, rx: 6, style: n.alarm ? 'stroke:var(--bad);stroke-width:2' : '' }),
      h('text', { x: n.x + 8, y: n.y + 18, 'font-weight': 600 }, n.title),
      h('text', { x: n.x + 8, y: n.y + 35, class: n.alarm ? 'bad' : '' }, n.line)));
  }
  const list = h('ul', { class: 'sr' }, nodes.map((n) => h('li', {}, n.title + ': ' + n.line)));
  put('graph', svg, list);
}

function bars(items) {
  const max = Math.max(1, ...items.map((i) => i.value));
  return h('div', {}, items.map((i) => h('div', { style: 'display:flex;gap:.5rem;align-items:center;margin:.15rem 0' },
    h('span', { style: 'min-width:12rem' }, i.label),
    h('span', { 'aria-hidden': 'true', style: 'display:inline-block;height:.8rem;background:' + (i.bad ? 'var(--bad)' : 'var(--acc)') + ';width:' + Math.max(2, (i.value / max) * 240) + 'px' }),
    h('span', {}, String(i.value)))));
}

function sparkline(series) {
  const W = 600, H = 60;
  if (series.length === 0) return h('p', { class: 'muted' }, 'No events in this window yet.');
  const max = Math.max(1, ...series.map((s) => s.events));
  const step = W / Math.max(1, series.length - 1);
  const d = series.map((s, i) => (i ? 'L' : 'M') + (i * step).toFixed(1) + ' ' + (H - (s.events / max) * (H - 4)).toFixed(1)).join(' ');
  return h('svg', { viewBox: '0 0 ' + W + ' ' + H, width: '100%', height: H, role: 'img', 'aria-label': 'Events handled per minute, peak ' + max },
    h('path', { d, class: 'edge', style: 'stroke:var(--acc);stroke-width:2' }));
}

function saga(report) {
  const s = report.saga;
  const stat = (label, value) => h('div', { class: 'stat' }, h('span', { class: 'muted' }, label), h('b', {}, value));
  const c = s.latencyMs.confirmed, x = s.latencyMs.cancelled;
  put('saga-body',
    h('div', { class: 'grid' },
      stat('Placed', s.placed),
      stat('Confirmed p50 / p95 / p99', ms(c.p50) + ' / ' + ms(c.p95) + ' / ' + ms(c.p99)),
      stat('Cancelled p50 / p95 / p99', ms(x.p50) + ' / ' + ms(x.p95) + ' / ' + ms(x.p99)),
      stat('Stuck (pending > 2 min)', s.stuck.length)),
    h('h3', { style: 'font-size:.95rem' }, 'Outcomes by reason'),
    bars(s.outcomes.map((o) => ({ label: o.outcome + (o.reason !== o.outcome ? ' · ' + o.reason : ''), value: o.count, bad: o.outcome === 'cancelled' }))),
    h('h3', { style: 'font-size:.95rem' }, 'Orders by status (all time)'),
    bars(Object.entries(s.byStatus).map(([k, v]) => ({ label: k, value: v }))),
    h('h3', { style: 'font-size:.95rem' }, 'Events handled per minute'),
    sparkline(report.series));
  put('recent-body', table(['Order', 'Status', 'Placed'], s.recent.map((r) =>
    [h('a', { href: '#order/' + r.orderId }, r.orderId), r.status + (r.reason ? ' (' + r.reason + ')' : ''), ago(r.placedAt)])));
  const b = report.billable;
  put('cost-body', h('p', {}, 'Per order over ' + b.orders + ' orders in the window; ', h('b', {}, '$' + b.costPerMillionOrdersUsd.toFixed(2)), ' per million orders at list prices of ' + b.pricesAsOf + '.'),
    table(['Operation', 'Per order'], Object.entries(b.perOrder).map(([k, v]) => [k, v])));
  put('services-body', table(['Service', 'Event', 'Handled', 'Retried', 'Dead-lettered', 'p50', 'p95', 'p99'], report.services.map((r) =>
    [r.service, r.type, r.handled, r.retried, h('span', { class: r.deadLettered ? 'bad' : '' }, r.deadLettered), ms(r.latencyMs.p50), ms(r.latencyMs.p95), ms(r.latencyMs.p99)])));
}

async function deadLetters() {
  const { items, nextCursor } = await api(paged('dead-letters?limit=50', 'dl'));
  const rows = items.map((d) => [
    d.queue,
    (d.eventType || '–') + (d.orderId ? ' · order ' + d.orderId : ''),
    d.endpoint || '–',
    h('span', { class: 'bad' }, d.reason),
    d.attempts + (d.times > 1 ? ' (' + d.times + '× dead)' : ''),
    ago(d.lastAt),
    h('span', { style: 'display:flex;gap:.3rem;flex-wrap:wrap' },
      h('button', { type: 'button', onclick: () => inspect(d.id), 'aria-label': 'Inspect ' + d.id }, 'Inspect'),
      h('button', { type: 'button', onclick: () => act(d.id, 'redrive'), 'aria-label': 'Redrive ' + d.id }, 'Redrive'),
      h('button', { type: 'button', class: 'danger', onclick: () => act(d.id, 'discard'), 'aria-label': 'Discard ' + d.id }, 'Discard')),
  ]);
  const detail = $('dl-detail');
  put('dl-body', h('div', { 'data-count': items.length }, table(['Queue', 'Event', 'Endpoint', 'Last error', 'Attempts', 'Last', 'Actions'], rows)),
    pager('dl', 'dead letters', nextCursor, deadLetters), detail || h('div', { id: 'dl-detail' }));
  return items;
}
async function inspect(id) {
  const d = await api('dead-letters/' + encodeURIComponent(id));
  put('dl-detail', h('h3', { style: 'font-size:.95rem' }, 'Dead letter ' + id), h('pre', { tabindex: 0 }, JSON.stringify(d, null, 2)));
}
async function act(id, what) {
  if (what === 'discard' && !confirm('Discard this dead letter for good?')) return;
  try {
    if (what === 'redrive') await api('dead-letters/' + encodeURIComponent(id) + '/redrive', { method: 'POST' });
    else await api('dead-letters/' + encodeURIComponent(id), { method: 'DELETE' });
    status.textContent = (what === 'redrive' ? 'Redriven ' : 'Discarded ') + id;
  } catch (e) { status.textContent = 'Failed: ' + e.message; }
  await deadLetters();
}

let openId = null;
let openStatus = null;
async function openOrder(id, quiet) {
  if (!quiet) put('order-body', h('p', { class: 'muted' }, 'Loading ' + id + ' …'));
  openId = id;
  try {
    const [order, trace] = await Promise.all([api('orders/' + encodeURIComponent(id)), api('orders/' + encodeURIComponent(id) + '/trace')]);
    const spans = trace.spans;
    const t0 = Math.min(...spans.map((s) => Date.parse(s.start)));
    const end = Math.max(...spans.map((s) => Date.parse(s.start) + s.ms));
    const k = 560 / Math.max(1, end - t0);
    const rowH = 18, W = 900;
    const svg = h('svg', { viewBox: '0 0 ' + W + ' ' + (spans.length * rowH + 10), width: '100%', role: 'img', 'aria-label': 'Waterfall of ' + spans.length + ' spans over ' + ms(end - t0) });
    spans.forEach((s, i) => {
      const x = 320 + (Date.parse(s.start) - t0) * k;
      const y = 4 + i * rowH;
      const bad = /dead|retried|^[45]\d\d$/.test(s.outcome);
      svg.append(h('g', {},
        h('title', {}, s.service + ' ' + s.name + ' · ' + ms(s.ms) + ' · ' + s.outcome),
        h('text', { x: 0, y: y + 12 }, s.service + ' · ' + s.name),
        h('rect', { x, y, width: Math.max(2, s.ms * k), height: rowH - 5, rx: 2, style: 'fill:' + (bad ? 'var(--bad)' : 'var(--acc)') }),
        h('text', { x: Math.min(W - 60, x + Math.max(2, s.ms * k) + 4), y: y + 12 }, ms(s.ms))));
    });
    openStatus = order.status;
    put('order-body',
      h('h3', { style: 'font-size:1rem' }, 'Order ' + order.id),
      h('p', {}, 'Status ', h('b', { id: 'order-status' }, order.status), order.cancelReason ? ' (' + order.cancelReason + ')' : '', ' · total ' + (order.totalCents / 100).toFixed(2) + ' ' + order.currency + ' · version ' + order.version),
      h('p', {}, 'Open steps: ', order.awaiting.length ? order.awaiting.join(', ') : 'none', order.nextDeadline ? ' · asks again ' + ago(order.nextDeadline) : '', order.nudges ? ' · asked again ' + order.nudges + '×' : ''),
      h('h4', {}, 'Waterfall (' + spans.length + ' spans, ' + ms(end - t0) + ')'),
      spans.length ? svg : h('p', { class: 'muted' }, 'No spans recorded for this order.'),
      h('h4', {}, 'Hops'),
      table(['Event', 'From', 'To the router', 'Deliveries (wait + handler)'], trace.hops.map((x) => [x.type, x.source, ms(x.routedMs),
        x.deliveries.map((d) => d.service + ' ' + ms(d.waitMs) + ' + ' + ms(d.handlerMs)).join('; ')])));
  } catch (e) {
    put('order-body', h('p', { role: 'alert', class: 'bad' }, e.message));
  }
}

async function webhooks() {
  const { items } = await api('webhooks');
  put('wh-body', table(['Endpoint', 'Events', 'Since', ''], items.map((w) => [w.url, w.eventTypes.join(', '), ago(w.createdAt),
    h('button', { type: 'button', onclick: () => deliveries(w.id), 'aria-label': 'Deliveries of ' + w.url }, 'Deliveries')])), h('div', { id: 'wh-deliveries' }));
  // Keep the open delivery log open (and fresh) across refreshes.
  if (deliveriesOf && items.some((w) => w.id === deliveriesOf)) await deliveries(deliveriesOf);
}
let deliveriesOf = null;
async function deliveries(id) {
  if (id !== deliveriesOf) cursors.deliveries = null;
  deliveriesOf = id;
  const { items, nextCursor } = await api(paged('webhooks/' + encodeURIComponent(id) + '/deliveries?limit=50', 'deliveries'));
  put('wh-deliveries', table(['Event', 'Event id', 'Status', 'Attempts', 'Last status', 'Last error', 'Updated'], items.map((d) =>
    [d.eventType, d.eventId, h('span', { class: d.status === 'failed' ? 'bad' : d.status === 'delivered' ? 'ok' : '' }, d.status), d.attempts, d.lastStatusCode ?? '–', d.lastError ?? '', ago(d.updatedAt)])),
    pager('deliveries', 'deliveries', nextCursor, () => deliveries(id)));
}
async function mail() {
  const { items, nextCursor } = await api(paged('mail?limit=20', 'mail'));
  put('mail-body', table(['To', 'Subject', 'Order', 'Sent'], items.map((m) => [m.to, m.subject, m.orderId, ago(m.createdAt)])),
    pager('mail', 'mail', nextCursor, mail));
}
async function exceptions(report) {
  const { items } = await api('exceptions?limit=50');
  put('ex-body',
    h('h3', { style: 'font-size:.95rem' }, 'Stuck: pending for more than 2 minutes'),
    table(['Order', 'Placed', 'Age'], report.saga.stuck.map((s) => [h('a', { href: '#order/' + s.orderId }, s.orderId), ago(s.placedAt), s.ageSeconds + ' s'])),
    h('h3', { style: 'font-size:.95rem' }, 'Flagged for an operator'),
    table(['Order', 'Flag', 'Detail'], items.map((x) => [h('a', { href: '#order/' + x.orderId }, x.orderId), x.kind || x.reason || '', JSON.stringify(x)])));
}

let report = null;
async function tick() {
  try {
    report = await api('metrics?window=' + $('window').value);
    const dead = await deadLetters();
    const deadByQueue = {};
    for (const d of dead) deadByQueue[d.queue] = (deadByQueue[d.queue] || 0) + 1;
    topology(report, deadByQueue);
    saga(report);
    // Watch an open order until it settles.
    if (openId && openStatus === 'pending') await openOrder(openId, true);
    status.textContent = 'Updated ' + new Date().toLocaleTimeString();
  } catch (e) {
    status.textContent = 'Update failed: ' + e.message;
  }
}
async function slowTick() {
  try { await Promise.all([webhooks(), mail(), report ? exceptions(report) : null]); } catch (e) { status.textContent = 'Update failed: ' + e.message; }
}

$('order-search').addEventListener('submit', (e) => {
  e.preventDefault();
  const hash = '#order/' + $('order-id').value.trim();
  if (location.hash === hash) route(); else location.hash = hash;
});
window.addEventListener('hashchange', route);
function route() {
  const m = location.hash.match(/^#order\/(.+)$/);
  if (m) { $('order-id').value = decodeURIComponent(m[1]); openOrder(decodeURIComponent(m[1])); $('orders').scrollIntoView(); }
}
$('replay').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = new FormData(e.target);
  const list = (v) => String(v || '').split(',').map((x) => x.trim()).filter(Boolean);
  const body = { from: new Date(f.get('from')).toISOString(), to: new Date(f.get('to')).toISOString() };
  if (list(f.get('types')).length) body.types = list(f.get('types'));
  if (list(f.get('subscribers')).length) body.subscribers = list(f.get('subscribers'));
  try {
    const r = await api('replay', { method: 'POST', body: JSON.stringify(body) });
    $('replay-result').textContent = 'Replayed ' + r.events + ' events: ' + JSON.stringify(r.sent);
  } catch (err) { $('replay-result').textContent = 'Replay failed: ' + err.message; }
});
$('window').addEventListener('change', tick);
tick().then(slowTick);
route();
setInterval(tick, 2000);
setInterval(slowTick, 5000);
`;
