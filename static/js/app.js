// Entry point: wires the socket to the store, the store to the views, and draws every
// dirty, visible view once per animation frame. Binary frames are kept undecoded until
// that frame, and only the newest of each kind is decoded, so a burst of frames costs
// one decode and one draw.

import { connect, decodeFrame, PROTOCOL } from './socket.js';
import { createStore, historyFrom, appendHistory } from './store.js';
import { applyStrings, t, formatNumber } from './strings.js';
import * as api from './api.js';
import { trainingView } from './view-training.js';
import { filtersView } from './view-filters.js';
import { activationsView } from './view-activations.js';
import { architectureView } from './view-architecture.js';
import { digitView } from './view-digit.js';
import { edgesView } from './view-edges.js';

const VIEWS = [
  ['training', trainingView],
  ['filters', filtersView],
  ['activations', activationsView],
  ['architecture', architectureView],
  ['digit', digitView],
  ['edges', edgesView],
];

const store = createStore({ history: [], progress: null, conn: 'connecting' });
const pending = new Map(); // binary kind → newest undecoded ArrayBuffer
const views = [];
let scheduled = false;
let headerDirty = true;
let current = '';
// Frame counts, readable from the console: binary frames received, decoded and skipped
// because a newer one of the same kind arrived before the next animation frame.
const stats = { received: 0, decoded: 0, skipped: 0, draws: 0 };
window.convscopeStats = stats;

applyStrings(document);

/** schedule asks for one draw on the next animation frame. */
function schedule() {
  if (!scheduled) {
    scheduled = true;
    requestAnimationFrame(frame);
  }
}

function frame() {
  scheduled = false;
  for (const [kind, buf] of pending) {
    pending.delete(kind);
    try {
      stats.decoded++;
      store.set(kind, decodeFrame(buf));
    } catch (err) {
      console.warn(`convscope: bad ${kind} frame:`, err.message);
    }
  }
  if (headerDirty) {
    headerDirty = false;
    renderHeader();
  }
  for (const v of views) {
    if (v.dirty && v.name === current) {
      v.dirty = false;
      stats.draws++;
      v.render();
    }
  }
}

const socket = connect({
  onState(state, retryMs) {
    store.set('conn', state);
    const el = document.getElementById('conn');
    el.className = `conn conn-${state}`;
    el.textContent =
      state === 'closed' ? t('conn.closed', { s: Math.ceil(retryMs / 1000) }) : t(`conn.${state}`);
  },
  onJSON(msg) {
    switch (msg.type) {
      case 'hello':
        if (msg.protocol !== PROTOCOL) {
          // The server was upgraded while this page was open: its frames would not decode.
          // Reload once to fetch the matching page; the flag stops a reload loop.
          if (sessionStorage.getItem('convscope-reloaded') !== String(msg.protocol)) {
            sessionStorage.setItem('convscope-reloaded', String(msg.protocol));
            location.reload();
          } else {
            console.warn('convscope: the server speaks protocol', msg.protocol, 'and this page', PROTOCOL);
          }
          return;
        }
        store.set('model', msg.model);
        store.set('config', msg.config);
        store.set('testSize', msg.test_size);
        store.set('history', historyFrom(msg.history));
        store.set('progress', msg.progress);
        store.set('probe', msg.probe);
        break;
      case 'metrics':
        store.set('history', appendHistory(store.get('history'), msg));
        store.set('progress', msg);
        break;
      case 'status': {
        if (msg.event === 'reset') {
          store.set('history', []);
        }
        const p = { ...(store.get('progress') || {}), running: msg.running, step: msg.step };
        store.set('progress', p);
        store.set('config', msg.config);
        store.set('probe', msg.probe);
        break;
      }
      case 'matches':
        store.set('matches', msg);
        break;
      case 'error':
        console.warn('convscope: server says:', msg.error);
        break;
    }
  },
  onBinary(kind, buf) {
    stats.received++;
    if (pending.has(kind)) {
      stats.skipped++;
    }
    pending.set(kind, buf);
    schedule();
  },
});

store.on(['progress', 'config'], () => {
  headerDirty = true;
  schedule();
});

// The header: figures everybody looks at, and the run controls.
const runButton = document.getElementById('btn-run');

function runAction() {
  const p = store.get('progress');
  if (p?.running) {
    return 'pause';
  }
  return p && p.step > 0 ? 'resume' : 'start';
}

function renderHeader() {
  const p = store.get('progress');
  const action = runAction();
  runButton.textContent = t(`ctl.${action}`) + ' ␣';
  runButton.dataset.action = action;
  if (!p) {
    return;
  }
  document.getElementById('stat-step').textContent = formatNumber(p.step || 0);
  document.getElementById('stat-epoch').textContent = String((p.epoch || 0) + 1);
  const pct = Math.round((p.epoch_fraction || 0) * 100);
  document.getElementById('epoch-fill').style.width = `${pct}%`;
  document.getElementById('epoch-bar').setAttribute('aria-valuenow', String(pct));
  document.getElementById('stat-test').textContent =
    p.test_at > 0 ? `${(p.test_accuracy * 100).toFixed(1)}%` : '–';
  document.getElementById('stat-speed').textContent = p.running
    ? formatNumber(p.samples_per_sec || 0)
    : '–';
}

/** command sends a training command and reports the server's refusal, if any. */
async function command(cmd) {
  try {
    await api.train(cmd);
    return null;
  } catch (err) {
    showTrainError(err.message);
    return err;
  }
}

function showTrainError(msg) {
  const el = document.getElementById('train-msg');
  el.textContent = t('ctl.failed', { msg });
  el.className = 'msg msg-error';
}

runButton.addEventListener('click', () => command({ action: runButton.dataset.action || 'start' }));
document.getElementById('btn-step').addEventListener('click', () => command({ action: 'step' }));
document.getElementById('btn-reset').addEventListener('click', () => {
  if (confirm(t('ctl.resetConfirm'))) {
    command({ action: 'reset' });
  }
});

// Views.
const ctx = { store, api, socket, command, schedule };
for (const [name, make] of VIEWS) {
  const el = document.getElementById(`view-${name}`);
  const v = { name, el, dirty: true };
  const invalidate = () => {
    v.dirty = true;
    if (v.name === current) {
      schedule();
    }
  };
  Object.assign(v, make(el, { ...ctx, invalidate }));
  views.push(v);
}

function show(name) {
  if (!views.some((v) => v.name === name)) {
    name = 'training';
  }
  if (current && current !== name) {
    window.scrollTo(0, 0); // a new view starts at its top
  }
  current = name;
  for (const v of views) {
    v.el.hidden = v.name !== name;
    if (v.name === name) {
      v.dirty = true;
    }
  }
  for (const a of document.querySelectorAll('.tabs a')) {
    if (a.dataset.view === name) {
      a.setAttribute('aria-current', 'page');
    } else {
      a.removeAttribute('aria-current');
    }
  }
  schedule();
}

window.addEventListener('hashchange', () => show(location.hash.slice(1)));
window.addEventListener('resize', () => {
  for (const v of views) {
    v.dirty = true;
  }
  schedule();
});
show(location.hash.slice(1));

// Keyboard: Space pauses/resumes, N steps, 1–6 switch views. Typing in a field is left alone.
function isShortcut(ev) {
  if (ev.ctrlKey || ev.metaKey || ev.altKey || document.querySelector('dialog[open]')) {
    return false;
  }
  const tag = ev.target.tagName;
  return tag !== 'INPUT' && tag !== 'SELECT' && tag !== 'TEXTAREA';
}

// Space on a focused button or link presses it, as everywhere else; the page-wide pause
// would otherwise take it, and a keyboard user could not press "Next" or "Reset" with it.
function isSpaceShortcut(ev) {
  return ev.key === ' ' && isShortcut(ev) && !ev.target.closest?.('button, a[href], summary');
}

// Space is ours, not the page's scroll: some input paths deliver its keypress on its own.
document.addEventListener('keypress', (ev) => {
  if (isSpaceShortcut(ev)) {
    ev.preventDefault();
  }
});

document.addEventListener('keydown', (ev) => {
  if (!isShortcut(ev)) {
    return;
  }
  if (ev.key === ' ') {
    if (!isSpaceShortcut(ev)) {
      return;
    }
    ev.preventDefault();
    runButton.click();
  } else if (ev.key === 'n' || ev.key === 'N') {
    command({ action: 'step' });
  } else if (ev.key >= '1' && ev.key <= String(VIEWS.length)) {
    location.hash = VIEWS[Number(ev.key) - 1][0];
  }
});
