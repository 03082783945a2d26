/* global document, window, localStorage, location, fetch, URLSearchParams, TextDecoder, AbortController, setTimeout, clearTimeout, confirm, history, CSS */
// The hostwatch dashboard: fleet, host and alerts views over /api/v1, live through server-sent events.
import { barChart, lineChart, sparkline } from './charts.js';

const TOKEN_KEY = 'hostwatch.token';
const RANGES = {
  '1h': 3_600_000,
  '6h': 6 * 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
};

const view = document.getElementById('view');
const liveBadge = document.getElementById('live');
const alertCount = document.getElementById('alert-count');
const logoutButton = document.getElementById('logout');

let token = localStorage.getItem(TOKEN_KEY);
/** Handlers of live events for the view on screen. */
let onLive = {};

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(path, params, init = {}) {
  const query = params
    ? `?${new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== ''))}`
    : '';
  const res = await fetch(`/api/v1${path}${query}`, {
    ...init,
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.body ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
  });
  if (res.status === 401) {
    showLogin('The token was not accepted.');
    throw new ApiError(401, 'not signed in');
  }
  const body = res.headers.get('content-type')?.includes('json') ? await res.json() : undefined;
  if (!res.ok) throw new ApiError(res.status, body?.message ?? res.statusText);
  return body;
}

// ---- small DOM helpers ----------------------------------------------------------------------

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat())
    if (c !== undefined && c !== null && c !== false) el.append(c instanceof window.Node ? c : String(c));
  return el;
}

const pct = (v) => (v === null || v === undefined ? '–' : `${v.toFixed(1)}%`);
const num = (v, digits = 2) => (v === null || v === undefined ? '–' : v.toFixed(digits));
const badge = (text) => h('span', { class: `badge ${text}` }, text);
function ago(iso) {
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 90) return `${Math.round(s)} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 129600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}
const when = (iso) =>
  h(
    'time',
    { datetime: iso, title: new Date(iso).toLocaleString() },
    new Date(iso).toLocaleString([], { dateStyle: 'short', timeStyle: 'medium' }),
  );
function duration(seconds) {
  const d = Math.floor(seconds / 86400);
  const hh = Math.floor((seconds % 86400) / 3600);
  return d > 0 ? `${d} d ${hh} h` : `${hh} h ${Math.floor((seconds % 3600) / 60)} min`;
}
const bytes = (b) => (b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(1)} GiB` : `${Math.round(b / 2 ** 20)} MiB`);

function card(title, ...children) {
  return h('section', { class: 'card' }, h('h2', {}, title), ...children);
}
function table(headers, rows, attrs = {}) {
  return h(
    'div',
    { class: 'scroll' },
    h(
      'table',
      attrs,
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headers.map(([label, cls]) => h('th', { class: cls }, label)),
        ),
      ),
      rows instanceof window.HTMLTableSectionElement ? rows : h('tbody', {}, rows),
    ),
  );
}
const empty = (text) => h('p', { class: 'empty' }, text);
const errorText = (err) => h('p', { class: 'error' }, err instanceof Error ? err.message : String(err));

// ---- sign in --------------------------------------------------------------------------------

function showLogin(message) {
  stopLive();
  logoutButton.hidden = true;
  const node = document.getElementById('login-template').content.cloneNode(true);
  view.replaceChildren(node);
  const error = document.getElementById('login-error');
  if (message) {
    error.textContent = message;
    error.hidden = false;
  }
  document.getElementById('login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    token = new window.FormData(event.target).get('token').trim();
    localStorage.setItem(TOKEN_KEY, token);
    route();
  });
}

logoutButton.addEventListener('click', () => {
  localStorage.removeItem(TOKEN_KEY);
  token = null;
  showLogin();
});

// ---- live updates (server-sent events over fetch, so the token travels in a header) -----------

let liveAbort;
let liveRetry;
function stopLive() {
  liveAbort?.abort();
  clearTimeout(liveRetry);
  liveAbort = undefined;
  liveBadge.dataset.state = 'off';
}

async function startLive() {
  if (liveAbort) return;
  const abort = new AbortController();
  liveAbort = abort;
  try {
    const res = await fetch('/api/v1/events', {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      signal: abort.signal,
    });
    if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
    liveBadge.dataset.state = 'on';
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let type = 'message';
        let data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) type = line.slice(7);
          else if (line.startsWith('data: ')) data += line.slice(6);
        }
        if (data) dispatchLive(type, JSON.parse(data));
      }
    }
  } catch (err) {
    if (abort.signal.aborted) return;
    liveBadge.dataset.state = 'error';
    liveBadge.title = `Live updates interrupted: ${err.message}`;
  }
  if (liveAbort === abort && !abort.signal.aborted) {
    liveAbort = undefined;
    liveRetry = setTimeout(startLive, 3000);
  }
}

function dispatchLive(type, data) {
  if (type === 'alert') refreshAlertCount();
  onLive[type]?.(data);
}

async function refreshAlertCount() {
  try {
    const { items } = await api('/alerts', { state: 'firing' });
    alertCount.textContent = String(items.length);
    alertCount.hidden = items.length === 0;
  } catch {
    alertCount.hidden = true;
  }
}

// ---- fleet ----------------------------------------------------------------------------------

function fleetRow(host, spark) {
  const l = host.latest;
  return h(
    'tr',
    { dataset: { host: host.hostId, status: host.status } },
    h(
      'td',
      { 'data-label': 'Host' },
      h('a', { href: `#/hosts/${encodeURIComponent(host.hostId)}` }, host.hostId),
      host.hostname && host.hostname !== host.hostId ? h('div', { class: 'muted' }, host.hostname) : null,
    ),
    h('td', { 'data-label': 'Status' }, badge(host.status)),
    h(
      'td',
      { 'data-label': 'CPU', 'data-field': 'cpu', class: 'num' },
      h('span', {}, pct(l?.cpuPercent), sparkline(spark?.cpu ?? [], { kind: 'cpu' })),
    ),
    h(
      'td',
      { 'data-label': 'Memory', 'data-field': 'mem', class: 'num' },
      h('span', {}, pct(l?.memPercent), sparkline(spark?.mem ?? [], { kind: 'mem' })),
    ),
    h('td', { 'data-label': 'Load', class: 'num' }, num(l?.load1)),
    h('td', { 'data-label': 'Disk', class: 'num' }, pct(l?.diskMaxPercent)),
    h('td', { 'data-label': 'Last seen' }, h('span', { title: host.lastSeen }, ago(host.lastSeen))),
    h(
      'td',
      { 'data-label': 'Alerts', class: 'num' },
      host.openAlerts > 0 ? h('span', { class: 'badge firing' }, String(host.openAlerts)) : '0',
    ),
  );
}

async function fleetView(params) {
  const q = params.get('q') ?? '';
  const status = params.get('status') ?? '';
  const setParam = (k, v) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    history.replaceState(null, '', `#/?${next}`);
    route();
  };
  const counts = h('span', { class: 'muted' });
  const search = h('input', {
    type: 'search',
    placeholder: 'Filter hosts, names, addresses',
    value: q,
    'aria-label': 'Filter hosts',
    name: 'q',
  });
  let debounce;
  search.addEventListener('input', () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => setParam('q', search.value.trim()), 300);
  });
  const select = h(
    'select',
    { 'aria-label': 'Status', name: 'status', onchange: (e) => setParam('status', e.target.value) },
    ['', 'online', 'offline', 'pending', 'revoked'].map((s) =>
      h('option', { value: s, selected: s === status }, s || 'any status'),
    ),
  );
  const tbody = h('tbody');
  view.replaceChildren(
    h('h1', {}, 'Fleet'),
    h('div', { class: 'toolbar' }, search, select, h('span', { class: 'spacer' }), counts),
    h(
      'div',
      { class: 'card' },
      h(
        'div',
        { class: 'scroll' },
        h(
          'table',
          { class: 'fleet' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Host', 'Status', 'CPU', 'Memory', 'Load', 'Disk', 'Last seen', 'Alerts'].map((t) =>
                h('th', {}, t),
              ),
            ),
          ),
          tbody,
        ),
      ),
    ),
  );
  const hosts = [];
  let cursor;
  do {
    const page = await api('/hosts', { q, status, limit: 1000, cursor });
    hosts.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && hosts.length < 5000);
  const byStatus = {};
  for (const host of hosts) byStatus[host.status] = (byStatus[host.status] ?? 0) + 1;
  counts.textContent = `${hosts.length} hosts · ${Object.entries(byStatus)
    .map(([k, v]) => `${v} ${k}`)
    .join(' · ')}`;
  const sparks = new Map();
  const ids = hosts.filter((x) => x.status === 'online' || x.status === 'offline').map((x) => x.hostId);
  for (let i = 0; i < ids.length && i < 1000; i += 200) {
    const { items } = await api('/stats/sparklines', {
      hosts: ids.slice(i, i + 200).join(','),
      minutes: 60,
      points: 30,
    });
    for (const s of items) sparks.set(s.hostId, s);
  }
  tbody.replaceChildren(...hosts.map((host) => fleetRow(host, sparks.get(host.hostId))));
  if (hosts.length === 0)
    tbody.append(h('tr', {}, h('td', { colspan: 8, class: 'empty' }, 'No hosts match.')));
  onLive.host = (host) => {
    const row = tbody.querySelector(`tr[data-host="${CSS.escape(host.hostId)}"]`);
    if (!row) return;
    const spark = sparks.get(host.hostId);
    if (spark && host.latest) {
      spark.cpu = [...spark.cpu.slice(1), host.latest.cpuPercent];
      spark.mem = [...spark.mem.slice(1), host.latest.memPercent];
    }
    const next = fleetRow(host, spark);
    next.classList.add('flash');
    row.replaceWith(next);
  };
}

// ---- one host -------------------------------------------------------------------------------

async function hostView(hostId, params) {
  const rangeKey = RANGES[params.get('range')] ? params.get('range') : '24h';
  const to = Date.now();
  const from = to - RANGES[rangeKey];
  const fromIso = new Date(from).toISOString();
  const toIso = new Date(to).toISOString();
  const host = await api(`/hosts/${encodeURIComponent(hostId)}`);
  const l = host.latest;
  const rangeButtons = h(
    'div',
    { class: 'segmented', role: 'group', 'aria-label': 'Range' },
    Object.keys(RANGES).map((key) =>
      h(
        'button',
        {
          type: 'button',
          'aria-pressed': String(key === rangeKey),
          onclick: () => {
            location.hash = `#/hosts/${encodeURIComponent(hostId)}?range=${key}`;
          },
        },
        key,
      ),
    ),
  );
  const actions = h('span');
  if (host.status === 'pending')
    actions.append(
      h(
        'button',
        { class: 'primary', type: 'button', onclick: () => enrollment(hostId, 'approve') },
        'Approve',
      ),
    );
  else if (host.status !== 'revoked')
    actions.append(
      h(
        'button',
        {
          class: 'danger',
          type: 'button',
          onclick: () =>
            confirm(`Revoke ${hostId}? Its messages will be refused.`) && enrollment(hostId, 'revoke'),
        },
        'Revoke',
      ),
    );
  const tiles = h('div', { class: 'tiles' });
  const renderTiles = (latest, status) => {
    tiles.replaceChildren(
      tile('Status', badge(status)),
      tile('CPU', pct(latest?.cpuPercent), 'cpu'),
      tile('Memory', pct(latest?.memPercent), 'mem'),
      tile('Swap', pct(latest?.swapPercent)),
      tile('Disk (fullest)', pct(latest?.diskMaxPercent)),
      tile('Load 1/5/15', latest ? `${num(latest.load1)} ${num(latest.load5)} ${num(latest.load15)}` : '–'),
      tile('Uptime', latest ? duration(latest.uptimeSeconds) : '–'),
      tile('CPUs · RAM', latest ? `${latest.cpuCount} · ${bytes(latest.memTotalBytes)}` : '–'),
    );
  };
  renderTiles(l, host.status);
  const charts = h('div', { class: 'grid charts' });
  const sessions = h('div');
  const attempts = h('div');
  const sources = h('div');
  const users = h('div');
  const events = h('div');
  view.replaceChildren(
    h(
      'div',
      { class: 'toolbar' },
      h('h1', {}, host.hostId),
      h('span', { class: 'muted' }, [host.hostname, host.addresses.join(', ')].filter(Boolean).join(' · ')),
      h('span', { class: 'spacer' }),
      actions,
      rangeButtons,
    ),
    tiles,
    charts,
    h(
      'div',
      { class: 'grid' },
      card('SSH attempts per day (30 days)', attempts),
      card(`Top sources (${rangeKey})`, sources),
    ),
    card(`SSH sessions (${rangeKey})`, sessions),
    h(
      'div',
      { class: 'grid' },
      card(`Top users (${rangeKey})`, users),
      card(`Security events (${rangeKey})`, events),
    ),
  );

  const series = await api(`/hosts/${encodeURIComponent(hostId)}/stats`, {
    from: fromIso,
    to: toIso,
    buckets: 300,
  });
  const pts = (key) => series.points.map((p) => ({ t: Date.parse(p.time), v: p[key] }));
  const gapMs = series.stepSeconds * 1000 * 3;
  const chart = (name, title, lines, opts) => {
    const readout = h('span', { class: 'readout' });
    const svg = lineChart({ series: lines, from, to, gapMs, readout, ...opts });
    return h(
      'figure',
      { class: 'chart card', 'data-chart': name },
      h('figcaption', {}, h('span', {}, title), readout),
      series.points.length ? svg : empty('No samples in this range.'),
    );
  };
  charts.replaceChildren(
    chart(
      'cpu',
      'CPU %',
      [
        { name: 'cpuAvg', label: 'avg', className: 'cpu', values: pts('cpuAvg') },
        { name: 'cpuMax', label: 'max', className: 'cpu max', values: pts('cpuMax') },
      ],
      { yMax: 100, unit: '%' },
    ),
    chart(
      'mem',
      'Memory %',
      [
        { name: 'memAvg', label: 'avg', className: 'mem', values: pts('memAvg') },
        { name: 'memMax', label: 'max', className: 'mem max', values: pts('memMax') },
      ],
      { yMax: 100, unit: '%' },
    ),
    chart(
      'disk',
      'Disk % (fullest file system)',
      [{ name: 'diskMax', label: 'max', className: 'disk', values: pts('diskMax') }],
      { yMax: 100, unit: '%' },
    ),
    chart(
      'load',
      'Load (1 min)',
      [
        { name: 'load1Avg', label: 'avg', className: 'load', values: pts('load1Avg') },
        { name: 'load1Max', label: 'max', className: 'load max', values: pts('load1Max') },
      ],
      {},
    ),
  );

  const sessionTable = sessionsPanel(sessions, { host: hostId, from: fromIso });
  onLive.host = (changed) => {
    if (changed.hostId === hostId) renderTiles(changed.latest, changed.status);
  };
  onLive.session = (s) => {
    if (s.hostId === hostId) sessionTable.live(s);
  };

  const today = new Date().toISOString().slice(0, 10);
  const daily = await api('/ssh/attempts', {
    host: hostId,
    from: new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10),
    to: today,
  });
  const byDay = new Map(daily.items.map((d) => [d.day, d]));
  const days = Array.from({ length: 30 }, (_, i) =>
    new Date(Date.now() - (29 - i) * 86_400_000).toISOString().slice(0, 10),
  );
  attempts.replaceChildren(
    h(
      'figure',
      { class: 'chart', 'data-chart': 'attempts' },
      h('figcaption', {}, h('span', { class: 'muted' }, 'grey: connections · red: failed · green: accepted')),
      barChart(
        days.map((day) => ({
          label: day,
          attempts: byDay.get(day)?.attempts ?? 0,
          failures: (byDay.get(day)?.failures ?? 0) + (byDay.get(day)?.invalidUsers ?? 0),
          accepted: byDay.get(day)?.accepted ?? 0,
        })),
      ),
    ),
  );

  const top = await api('/ssh/top-sources', { host: hostId, from: fromIso, to: toIso, limit: 10 });
  sources.replaceChildren(
    top.items.length
      ? table(
          [
            ['Source'],
            ['Sessions', 'num'],
            ['Failed', 'num'],
            ['Accepted', 'num'],
            ['Users', 'num'],
            ['Last'],
          ],
          top.items.map((s) =>
            h(
              'tr',
              {},
              h(
                'td',
                {},
                h(
                  'a',
                  {
                    href: '#',
                    onclick: (e) => {
                      e.preventDefault();
                      sessionTable.filter({ source: s.source });
                    },
                  },
                  s.source,
                ),
              ),
              h('td', { class: 'num' }, s.sessions),
              h('td', { class: 'num' }, s.failures),
              h('td', { class: 'num' }, s.accepted),
              h('td', { class: 'num' }, s.users),
              h('td', {}, ago(s.lastSeen)),
            ),
          ),
        )
      : empty('No SSH sessions in this range.'),
  );
  const topUsers = await api('/ssh/top-users', { host: hostId, from: fromIso, to: toIso, limit: 10 });
  users.replaceChildren(
    topUsers.items.length
      ? table(
          [['User'], ['Sessions', 'num'], ['Failed', 'num'], ['Accepted', 'num'], ['Sources', 'num']],
          topUsers.items.map((u) =>
            h(
              'tr',
              {},
              h('td', {}, u.user),
              h('td', { class: 'num' }, u.sessions),
              h('td', { class: 'num' }, u.failures),
              h('td', { class: 'num' }, u.accepted),
              h('td', { class: 'num' }, u.sources),
            ),
          ),
        )
      : empty('No user names tried in this range.'),
  );
  const sec = await api('/security-events', { host: hostId, from: fromIso, to: toIso, limit: 50 });
  events.replaceChildren(
    sec.items.length
      ? table(
          [['Time'], ['Type'], ['User'], ['Target'], ['Command'], ['Allowed']],
          sec.items.map((e) =>
            h(
              'tr',
              {},
              h('td', {}, when(e.time)),
              h('td', {}, e.type),
              h('td', {}, e.user ?? ''),
              h('td', {}, e.target ?? ''),
              h('td', {}, e.command ?? ''),
              h('td', {}, e.allowed === null ? '' : e.allowed ? 'yes' : h('span', { class: 'error' }, 'no')),
            ),
          ),
        )
      : empty('No security events in this range.'),
  );
}

function tile(label, value, kind) {
  return h(
    'div',
    { class: 'tile', dataset: kind ? { tile: kind } : {} },
    h('div', { class: 'label' }, label),
    h('div', { class: 'value' }, value),
  );
}

async function enrollment(hostId, action) {
  try {
    await api(`/admin/hosts/${encodeURIComponent(hostId)}/${action}`, undefined, { method: 'POST' });
    route();
  } catch (err) {
    window.alert(err.status === 403 ? 'This needs an admin token.' : err.message);
  }
}

/** The sessions table with its filter form and paging; returns `filter()` and `live()`. */
function sessionsPanel(container, base) {
  let filters = {};
  let cursor;
  const tbody = h('tbody');
  const more = h(
    'button',
    { type: 'button', class: 'more', hidden: true, onclick: () => load(false) },
    'More',
  );
  const form = h(
    'form',
    { class: 'inline', 'aria-label': 'Filter sessions' },
    h('label', {}, 'Source', h('input', { name: 'source', placeholder: 'address', size: 16 })),
    h('label', {}, 'User', h('input', { name: 'user', placeholder: 'name', size: 12 })),
    h(
      'label',
      {},
      'Outcome',
      h(
        'select',
        { name: 'outcome' },
        ['', 'accepted', 'failed', 'probe'].map((o) => h('option', { value: o }, o || 'any')),
      ),
    ),
    h('button', { type: 'submit' }, 'Filter'),
    h('button', { type: 'reset' }, 'Clear'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    filters = Object.fromEntries([...new window.FormData(form)].filter(([, v]) => v !== ''));
    load(true);
  });
  form.addEventListener('reset', () => {
    filters = {};
    setTimeout(() => load(true));
  });
  const status = h('p', { class: 'muted' });
  container.replaceChildren(
    form,
    table(
      [['Started'], ['Source'], ['Users'], ['Outcome'], ['Failed', 'num'], ['Methods'], ['Duration', 'num']],
      tbody,
      { class: 'sessions' },
    ),
    status,
    more,
  );
  const row = (s) =>
    h(
      'tr',
      { dataset: { session: s.session, outcome: s.outcome } },
      h('td', {}, when(s.startedAt)),
      h('td', {}, s.source ?? '–'),
      h('td', {}, (s.users ?? []).join(', ')),
      h('td', {}, badge(s.outcome)),
      h('td', { class: 'num' }, (s.failures ?? 0) + (s.invalidUsers ?? 0)),
      h('td', {}, (s.methods ?? []).join(', ')),
      h('td', { class: 'num' }, `${Math.round((Date.parse(s.endedAt) - Date.parse(s.startedAt)) / 1000)} s`),
    );
  async function load(reset) {
    if (reset) cursor = undefined;
    try {
      const page = await api('/ssh/sessions', { ...base, ...filters, limit: 50, cursor });
      if (reset) tbody.replaceChildren();
      tbody.append(...page.items.map(row));
      cursor = page.nextCursor ?? undefined;
      more.hidden = !cursor;
      status.textContent = tbody.children.length ? '' : 'No sessions match.';
    } catch (err) {
      status.replaceChildren(errorText(err));
    }
  }
  load(true);
  return {
    filter(next) {
      filters = next;
      for (const el of form.elements) if (el.name) el.value = next[el.name] ?? '';
      load(true);
    },
    live(s) {
      if (filters.source && s.source !== filters.source) return;
      if (filters.user && !s.users.includes(filters.user)) return;
      if (filters.outcome && s.outcome !== filters.outcome) return;
      tbody.querySelector(`tr[data-session="${CSS.escape(s.session)}"]`)?.remove();
      const r = row(s);
      r.classList.add('flash');
      tbody.prepend(r);
      status.textContent = '';
    },
  };
}

// ---- alerts ---------------------------------------------------------------------------------

async function alertsView() {
  const active = h('div');
  const silences = h('div');
  const historyBox = h('div');
  view.replaceChildren(
    h('h1', {}, 'Alerts'),
    card('Active', active),
    card('Silences', silences),
    card('Notifications', historyBox),
  );
  const renderActive = async () => {
    const { items } = await api('/alerts');
    active.replaceChildren(
      items.length
        ? table(
            [['State'], ['Host'], ['Type'], ['Value', 'num'], ['Since'], ['Notified']],
            items.map((a) =>
              h(
                'tr',
                { dataset: { series: a.seriesKey } },
                h('td', {}, badge(a.state)),
                h(
                  'td',
                  {},
                  a.hostId ? h('a', { href: `#/hosts/${encodeURIComponent(a.hostId)}` }, a.hostId) : 'fleet',
                ),
                h('td', {}, a.type + (a.label ? ` (${a.label})` : '')),
                h('td', { class: 'num' }, num(a.lastValue, 1)),
                h('td', {}, ago(a.since)),
                h('td', {}, a.notifiedAt ? ago(a.notifiedAt) : '–'),
              ),
            ),
          )
        : empty('Nothing is firing.'),
    );
  };
  onLive.alert = () => void renderActive();
  await renderActive();

  const renderSilences = async () => {
    try {
      const { items } = await api('/silences');
      const form = h(
        'form',
        { class: 'inline', 'aria-label': 'New silence' },
        h('label', {}, 'Host (empty: all)', h('input', { name: 'hostId', size: 14 })),
        h(
          'label',
          {},
          'Hours',
          h('input', { name: 'hours', type: 'number', min: 1, max: 720, value: 2, size: 4 }),
        ),
        h('label', {}, 'Comment', h('input', { name: 'comment', required: true, size: 24 })),
        h('button', { type: 'submit' }, 'Silence'),
      );
      const note = h('p', { class: 'error', hidden: true });
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        const data = Object.fromEntries(new window.FormData(form));
        try {
          await api('/silences', undefined, {
            method: 'POST',
            body: JSON.stringify({
              ...(data.hostId ? { hostId: data.hostId } : {}),
              comment: data.comment,
              endsAt: new Date(Date.now() + Number(data.hours) * 3_600_000).toISOString(),
            }),
          });
          await renderSilences();
        } catch (err) {
          note.textContent = err.status === 403 ? 'Creating silences needs an admin token.' : err.message;
          note.hidden = false;
        }
      });
      silences.replaceChildren(
        items.length
          ? table(
              [['State'], ['Host'], ['Types'], ['Ends'], ['Comment'], ['']],
              items.map((s) =>
                h(
                  'tr',
                  {},
                  h('td', {}, badge(s.state)),
                  h('td', {}, s.hostId ?? 'all'),
                  h('td', {}, s.types.join(', ') || 'all'),
                  h('td', {}, when(s.endsAt)),
                  h('td', {}, s.comment),
                  h(
                    'td',
                    {},
                    h(
                      'button',
                      {
                        type: 'button',
                        onclick: async () => {
                          try {
                            await api(`/silences/${s.id}/expire`, undefined, { method: 'POST' });
                            await renderSilences();
                          } catch (err) {
                            note.textContent = err.message;
                            note.hidden = false;
                          }
                        },
                      },
                      'Expire',
                    ),
                  ),
                ),
              ),
            )
          : empty('No silences.'),
        form,
        note,
      );
    } catch (err) {
      silences.replaceChildren(errorText(err));
    }
  };
  await renderSilences();

  const { items } = await api('/alerts/history', { limit: 100 });
  historyBox.replaceChildren(
    items.length
      ? table(
          [['Created'], ['Kind'], ['Subject'], ['Status'], ['Sent']],
          items.map((n) =>
            h(
              'tr',
              {},
              h('td', {}, when(n.createdAt)),
              h('td', {}, n.kind),
              h('td', {}, n.subject),
              h('td', {}, badge(n.status), n.lastError ? h('div', { class: 'muted' }, n.lastError) : null),
              h('td', {}, n.sentAt ? when(n.sentAt) : '–'),
            ),
          ),
        )
      : empty('No notifications yet.'),
  );
}

// ---- routing --------------------------------------------------------------------------------

async function route() {
  const fragment = location.hash.slice(1);
  if (fragment.startsWith('token=')) {
    // A link printed by `npm start` carries the token in the fragment, which never reaches a server.
    token = decodeURIComponent(fragment.slice(6));
    localStorage.setItem(TOKEN_KEY, token);
    history.replaceState(null, '', '#/');
  }
  if (!token) return showLogin();
  logoutButton.hidden = false;
  onLive = {};
  const [path, query = ''] = location.hash.slice(1).split('?');
  const params = new URLSearchParams(query);
  const parts = (path || '/').split('/').filter(Boolean);
  for (const a of document.querySelectorAll('[data-nav]'))
    a.classList.toggle(
      'current',
      (parts[0] ?? 'fleet') === a.dataset.nav || (parts[0] === 'hosts' && a.dataset.nav === 'fleet'),
    );
  view.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
  try {
    if (parts[0] === 'hosts' && parts[1]) await hostView(decodeURIComponent(parts[1]), params);
    else if (parts[0] === 'alerts') await alertsView();
    else await fleetView(params);
    startLive();
    refreshAlertCount();
  } catch (err) {
    if (err.status !== 401) view.replaceChildren(errorText(err));
  }
}

window.addEventListener('hashchange', route);
route();
