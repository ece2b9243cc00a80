// The zbpp dashboard: plain DOM and hand-drawn SVG, no libraries. The session is an HttpOnly cookie set by
// POST /dashboard/login; the token typed in the form goes only into that request's JSON body.
'use strict';

const SVG = 'http://www.w3.org/2000/svg';
const $ = id => document.getElementById(id);
let source = null;   // the EventSource of job events, while logged in
let current = null;  // the job id shown, or null for the list
let busy = false;    // a render is in flight
let again = false;   // an event came meanwhile: render once more

class LoginNeeded extends Error {}

async function api(path) {
  const r = await fetch('/dashboard/api/' + path, {credentials: 'same-origin'});
  if (r.status === 401) {
    throw new LoginNeeded();
  }
  const body = await r.json().catch(() => ({error: r.status + ' ' + r.statusText}));
  if (!r.ok) {
    throw new Error(body.error);
  }
  return body;
}

function show(section) {
  for (const s of ['login', 'jobs', 'job']) {
    $(s).hidden = s !== section;
  }
}

function showLogin(message) {
  if (source) {
    source.close();
    source = null;
  }
  setLive(false);
  $('logout').hidden = true;
  $('login-error').textContent = message;
  show('login');
  $('token').focus();
}

function setLive(on) {
  $('live').textContent = on ? 'live' : 'offline';
  $('live').classList.toggle('on', on);
}

$('login-form').addEventListener('submit', async ev => {
  ev.preventDefault();
  const token = $('token').value;
  $('token').value = '';
  const r = await fetch('/dashboard/login', {method: 'POST', credentials: 'same-origin',
    headers: {'Content-Type': 'application/json'}, body: JSON.stringify({token: token})});
  if (!r.ok) {
    const e = await r.json().catch(() => ({error: r.status + ' ' + r.statusText}));
    $('login-error').textContent = 'Login refused: ' + e.error + '.';
    return;
  }
  $('login-error').textContent = '';
  refresh();
});

$('logout').addEventListener('click', async () => {
  await fetch('/dashboard/logout', {method: 'POST', credentials: 'same-origin'});
  showLogin('Logged out.');
});

/** Listens to job events; each one re-reads what the page shows. */
function connect() {
  if (source) {
    return;
  }
  source = new EventSource('/dashboard/api/events');
  source.addEventListener('open', () => setLive(true));
  source.addEventListener('job', ev => {
    const e = JSON.parse(ev.data);
    if (current === null || current === e.job) {
      refresh();
    }
  });
  source.addEventListener('error', () => {
    setLive(false);
    if (source && source.readyState === EventSource.CLOSED) {
      source = null;
      refresh();  // a 401 shows the login form; otherwise reconnects
    }
  });
}

function route() {
  const m = location.hash.match(/^#\/jobs\/([A-Za-z0-9._-]+)$/);
  current = m ? m[1] : null;
  refresh();
}

async function refresh() {
  if (busy) {
    again = true;
    return;
  }
  busy = true;
  try {
    if (current === null) {
      renderJobs(await api('jobs'));
    } else {
      renderJob(await api('jobs/' + encodeURIComponent(current)));
    }
    $('status').textContent = '';
    $('logout').hidden = false;
    connect();
  } catch (e) {
    if (e instanceof LoginNeeded) {
      again = false;
      showLogin($('login-error').textContent);
    } else {
      $('status').textContent = e.message;
    }
  }
  // at most four renders a second however fast events come; events meanwhile cause one more
  setTimeout(() => {
    busy = false;
    if (again) {
      again = false;
      refresh();
    }
  }, 250);
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) {
    e.textContent = text;
  }
  if (cls) {
    e.className = cls;
  }
  return e;
}

function progress(j) {
  const p = el('progress');
  p.max = j.iterations;
  p.value = j.iterationsDone;
  const span = el('span');
  span.append(p, ' ' + j.iterationsDone + ' / ' + j.iterations);
  return span;
}

/** The list, newest first; a job's row stays the same element while its cells change. */
function renderJobs(body) {
  const rows = $('job-rows');
  const old = new Map([...rows.children].map(tr => [tr.dataset.jobId, tr]));
  for (const j of body.jobs) {
    let tr = old.get(j.id);
    old.delete(j.id);
    if (!tr) {
      tr = el('tr');
      tr.dataset.jobId = j.id;
      tr.addEventListener('click', () => { location.hash = '#/jobs/' + j.id; });
    }
    const state = el('td');
    state.append(el('span', j.state, 'state ' + j.state));
    const prog = el('td');
    prog.append(progress(j));
    tr.replaceChildren(el('td', j.id), el('td', j.name), state, el('td', j.owner), el('td', j.schedule),
      el('td', j.stages + ' × ' + j.microbatches), el('td', j.model + ' / ' + j.backend), prog);
    rows.append(tr);  // in order: an existing row moves
  }
  old.forEach(tr => tr.remove());
  $('no-jobs').hidden = body.jobs.length > 0;
  show('jobs');
}

function renderJob(body) {
  show('job');  // first: the timeline is sized to the visible page
  const j = body.job;
  $('job-title').replaceChildren(el('span', j.id + (j.name ? ' — ' + j.name : '') + ' '),
    el('span', j.state, 'state ' + j.state));
  const facts = $('job-facts');
  facts.replaceChildren(j.schedule + ', p = ' + j.stages + ', m = ' + j.microbatches + ', model ' + j.model
    + ' on ' + j.backend + ', owner ' + j.owner + ', iterations ', progress(j));
  if (j.reason) {
    facts.append(el('span', ' — ' + j.reason, 'error'));
  }
  const its = body.iterations;
  lineChart($('loss-chart'), [{cls: 'loss', points: its.map(i => [i.iteration + 1, i.loss])}]);
  lineChart($('time-chart'), [{cls: 'time', points: its.map(i => [i.iteration + 1, i.millis])}]);
  lineChart($('bubble-chart'), [
    {cls: 'predicted', points: its.map(i => [i.iteration + 1, i.predictedBubbleRate])},
    {cls: 'realized', points: its.map(i => [i.iteration + 1, i.realizedBubbleRate])}], 0, 1);
  renderTimeline(body.timeline);
  const placement = $('placement');
  placement.replaceChildren();
  $('plan').textContent = body.plan ? body.plan.planText : 'not planned yet';
  if (body.plan) {
    body.plan.placement.forEach((where, stage) => placement.append(el('li', 'stage ' + stage + ': ' + where)));
  }
  const events = $('events');
  events.replaceChildren();
  for (const e of body.events) {
    const li = el('li', new Date(e.timeMillis).toLocaleTimeString() + ' ');
    li.dataset.kind = e.kind;
    li.append(el('strong', e.kind), ' ' + e.text);
    events.append(li);
  }
}

function renderTimeline(t) {
  const box = $('timeline');
  const bars = $('stage-bars');
  bars.replaceChildren();
  if (!t) {
    box.replaceChildren(el('p', 'No iteration has finished yet.', 'empty'));
    return;
  }
  // the server draws it with the CLI's own renderer, from measured pass times; nothing in it comes from users
  const doc = new DOMParser().parseFromString(t.svg, 'image/svg+xml');
  const chart = document.importNode(doc.documentElement, true);
  // at least the page's width, at most twice it (then it scrolls): its viewBox scales it
  const natural = parseFloat(chart.getAttribute('width'));
  const width = Math.max(box.clientWidth - 2, Math.min(natural, 2 * box.clientWidth));
  chart.setAttribute('height', (parseFloat(chart.getAttribute('height')) * width / natural).toFixed(0));
  chart.setAttribute('width', width.toFixed(0));
  box.replaceChildren(chart);
  box.dataset.iteration = t.iteration;
  for (const s of t.stages) {
    const row = el('div', undefined, 'stage-row');
    row.dataset.stage = s.stage;
    const bar = el('div', undefined, 'bar');
    const b = el('div', undefined, 'busy');
    b.style.width = (100 * s.busy).toFixed(1) + '%';
    const u = el('div', undefined, 'bubble');
    u.style.width = (100 * s.bubble).toFixed(1) + '%';
    bar.append(b, u);
    row.append(el('span', 'stage ' + s.stage), bar,
      el('span', 'busy ' + (100 * s.busy).toFixed(1) + ' %, bubble ' + (100 * s.bubble).toFixed(1) + ' %'));
    bars.append(row);
  }
}

function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) {
    e.setAttribute(k, v);
  }
  if (text !== undefined) {
    e.textContent = text;
  }
  return e;
}

function label(v) {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Number(v.toPrecision(3)).toString();
}

/** A line chart of series [{cls, points: [[x, y]]}], one circle per point; y from yMin/yMax when given. */
function lineChart(chart, series, yMin, yMax) {
  const W = 360, H = 180, L = 44, R = 10, T = 10, B = 26;
  chart.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
  chart.replaceChildren();
  const all = series.flatMap(s => s.points).filter(p => Number.isFinite(p[1]));
  if (all.length === 0) {
    chart.append(svg('text', {x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'empty'}, 'no iterations yet'));
    return;
  }
  const xs = all.map(p => p[0]);
  const ys = all.map(p => p[1]);
  const x0 = Math.min(...xs), x1 = Math.max(...xs, x0 + 1);
  let y0 = yMin !== undefined ? Math.min(yMin, ...ys) : Math.min(...ys);
  let y1 = yMax !== undefined ? Math.max(Math.min(yMax, Math.max(...ys) * 1.1), 0.01) : Math.max(...ys);
  if (y1 - y0 < 1e-12) {
    const pad = Math.abs(y0) * 0.1 || 0.5;
    y0 -= pad;
    y1 += pad;
  }
  const sx = x => L + (x - x0) / (x1 - x0) * (W - L - R);
  const sy = y => H - B - (y - y0) / (y1 - y0) * (H - T - B);
  chart.append(svg('line', {x1: L, y1: H - B, x2: W - R, y2: H - B, class: 'axis'}),
    svg('line', {x1: L, y1: T, x2: L, y2: H - B, class: 'axis'}),
    svg('text', {x: L - 4, y: sy(y1) + 4, 'text-anchor': 'end'}, label(y1)),
    svg('text', {x: L - 4, y: sy(y0), 'text-anchor': 'end'}, label(y0)),
    svg('text', {x: sx(x0), y: H - 8, 'text-anchor': 'middle'}, String(x0)),
    svg('text', {x: sx(x1), y: H - 8, 'text-anchor': 'middle'}, String(x1)),
    svg('text', {x: (L + W - R) / 2, y: H - 8, 'text-anchor': 'middle'}, 'iteration'));
  for (const s of series) {
    const pts = s.points.filter(p => Number.isFinite(p[1]));
    if (pts.length > 1) {
      chart.append(svg('path', {class: s.cls, d: pts.map((p, i) => (i ? 'L' : 'M') + sx(p[0]).toFixed(1) + ','
        + sy(p[1]).toFixed(1)).join(' ')}));
    }
    for (const p of pts) {
      const c = svg('circle', {cx: sx(p[0]).toFixed(1), cy: sy(p[1]).toFixed(1), r: 2.5, class: 'point ' + s.cls});
      c.append(svg('title', {}, 'iteration ' + p[0] + ': ' + label(p[1])));
      chart.append(c);
    }
  }
}

window.addEventListener('hashchange', route);
route();
