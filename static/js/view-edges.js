// View 6, Edge filters: the lesson's hand-made kernels and their responses on the probe,
// beside the learned first-layer filters and their maps on the same digit; the live match
// (each learned filter's most similar hand-made filter, with the score); and the
// digit-sized Leung–Malik bank, with the filters matched right now outlined. Below: the
// lesson's own picture (its two kernels on the first five training digits) and download
// links for every figure the server draws for slides.

import { paintMap, legend, maxAbs } from './draw.js';
import { t } from './strings.js';

/** edgesView builds the edge-filters view inside el. */
export function edgesView(el, { store, invalidate }) {
  const hand = el.querySelector('#edges-hand');
  const learned = el.querySelector('#edges-learned');
  const table = el.querySelector('#match-table');
  const lmGrid = el.querySelector('#lm-grid');
  const lmNote = el.querySelector('#lm-note');
  const legendCanvas = el.querySelector('#edges-legend');
  let bankBuilt = null; // the bank frame the DOM was built for
  let handCards = []; // {id, kernel, map}
  let lmTiles = new Map(); // bank id → canvas
  let learnedCards = []; // {kernel, map}
  let rows = []; // match table rows: {kernel, map, bankKernel, bankMap, name, score, bar}

  store.on(['bank', 'edges', 'matches', 'filters', 'activations', 'model'], invalidate);
  lessonFigure(el);
  slideLinks(el.querySelector('#slide-list'));

  function card(parent, title) {
    const fig = document.createElement('figure');
    fig.className = 'kernel-card';
    const k = document.createElement('canvas');
    k.className = 'kernel';
    const m = document.createElement('canvas');
    m.className = 'response';
    const cap = document.createElement('figcaption');
    cap.textContent = title;
    fig.append(k, m, cap);
    parent.append(fig);
    return { kernel: k, map: m, cap };
  }

  function buildBank(bank) {
    bankBuilt = bank;
    hand.replaceChildren();
    lmGrid.replaceChildren();
    handCards = [];
    lmTiles = new Map();
    for (const f of bank.meta.filters || []) {
      if (f.group === 'lesson') {
        const c = card(hand, f.name);
        c.kernel.title = f.description || f.name;
        handCards.push({ id: f.id, ...c });
      } else {
        const c = document.createElement('canvas');
        c.className = 'lm-tile';
        c.title = f.name;
        c.setAttribute('aria-label', f.name);
        lmGrid.append(c);
        lmTiles.set(f.id, c);
      }
    }
    lmNote.textContent = bank.meta.description || '';
    for (const [id, c] of lmTiles) {
      const k = bank.tensors.get(id);
      if (k) paintMap(c, k.data, k.dims[3], k.dims[2]);
    }
    for (const c of handCards) {
      const k = bank.tensors.get(c.id);
      if (k) paintMap(c.kernel, k.data, k.dims[3], k.dims[2]);
    }
  }

  function firstConv() {
    const model = store.get('model');
    return model?.layers.find((L) => L.type === 'conv');
  }

  function render() {
    const bank = store.get('bank');
    if (!bank) {
      if (!lmNote.textContent) lmNote.textContent = t('edges.waiting');
      return;
    }
    if (bank !== bankBuilt) buildBank(bank);

    // Responses share one range per group so that strong and weak filters compare.
    const edges = store.get('edges');
    if (edges) {
      let range = 0;
      for (const c of handCards) {
        const r = edges.tensors.get(c.id);
        if (r) range = Math.max(range, maxAbs(r.data));
      }
      for (const c of handCards) {
        const r = edges.tensors.get(c.id);
        if (r) paintMap(c.map, r.data, r.dims[3], r.dims[2], { range });
      }
      legend(legendCanvas, range);
    }

    const conv = firstConv();
    const filters = store.get('filters');
    const acts = store.get('activations');
    const weights = conv && filters?.tensors.get(conv.index);
    const maps = conv && acts?.tensors.get(conv.index);
    if (weights) {
      const [out, inC, k] = weights.dims;
      if (learnedCards.length !== out) {
        learned.replaceChildren();
        learnedCards = [];
        for (let o = 0; o < out; o++) learnedCards.push(card(learned, t('edges.filterName', { name: conv.name, i: o + 1 })));
      }
      const wRange = maxAbs(weights.data);
      const mRange = maps ? maxAbs(maps.data) : 1;
      for (let o = 0; o < out; o++) {
        // A first-layer filter has one input channel for grey digits; show channel 0.
        paintMap(learnedCards[o].kernel, weights.data, k, k, { off: o * inC * k * k, range: wRange });
        if (maps) {
          const [, , H, W] = maps.dims;
          paintMap(learnedCards[o].map, maps.data, W, H, { off: o * H * W, range: mRange });
        }
      }
      learned.dataset.step = String(filters.step);
    }
    renderMatches(bank, edges, weights, maps);
  }

  function renderMatches(bank, edges, weights, maps) {
    const m = store.get('matches');
    if (!m || !weights) return;
    const list = [...m.matches].sort((a, b) => a.filter - b.filter);
    if (rows.length !== list.length) {
      table.replaceChildren();
      const head = table.createTHead().insertRow();
      for (const key of ['edges.col.learned', 'edges.col.map', 'edges.col.match', 'edges.col.matchMap', 'edges.col.score']) {
        const th = document.createElement('th');
        th.textContent = t(key);
        head.append(th);
      }
      const body = table.createTBody();
      rows = list.map(() => {
        const r = body.insertRow();
        const cells = [0, 1, 2, 3].map(() => {
          const c = document.createElement('canvas');
          c.className = 'match-canvas';
          r.insertCell().append(c);
          return c;
        });
        const cell = document.createElement('div');
        cell.className = 'match-score';
        r.insertCell().append(cell);
        cell.innerHTML = '<span class="match-name"></span><span class="score-track"><span class="score-fill"></span></span><span class="score-value"></span>';
        return { cells, cell };
      });
    }
    const [, inC, k] = weights.dims;
    const wRange = maxAbs(weights.data);
    const mRange = maps ? maxAbs(maps.data) : 1;
    const matched = new Set();
    list.forEach((x, i) => {
      const row = rows[i];
      const sign = x.negated ? -1 : 1;
      paintMap(row.cells[0], weights.data, k, k, { off: x.filter * inC * k * k, range: wRange });
      if (maps) {
        const [, , H, W] = maps.dims;
        paintMap(row.cells[1], maps.data, W, H, { off: x.filter * H * W, range: mRange });
      }
      const bk = bank.tensors.get(x.bank);
      if (bk) paintMap(row.cells[2], signed(bk.data, sign), bk.dims[3], bk.dims[2]);
      const br = edges?.tensors.get(x.bank);
      if (br) paintMap(row.cells[3], signed(br.data, sign), br.dims[3], br.dims[2]);
      row.cell.querySelector('.match-name').textContent = t('edges.matchName', {
        learned: t('edges.filterName', { name: convName(), i: x.filter + 1 }),
        sign: x.negated ? '− ' : '',
        bank: x.name,
      });
      row.cell.querySelector('.score-fill').style.width = `${Math.round(x.score * 100)}%`;
      row.cell.querySelector('.score-value').textContent = x.score.toFixed(2);
      matched.add(x.bank);
    });
    for (const [id, c] of lmTiles) c.classList.toggle('matched', matched.has(id));
    table.dataset.step = String(m.step);
  }

  function convName() {
    return firstConv()?.name || 'conv';
  }

  return { render };
}

// SLIDE_FIGURES are the figures GET /api/figures/{name}.{png|svg} draws, in the order the
// lesson meets them. The learned ones are drawn from the model when the link is followed
// (the server sends them with no-store), so a click always gets the network as it is now.
const SLIDE_FIGURES = ['lesson-edges', 'lm-bank', 'learned-filters', 'matches', 'responses'];

// slideLinks fills list with one row per figure: its name and PNG and SVG download links.
function slideLinks(list) {
  for (const name of SLIDE_FIGURES) {
    const li = document.createElement('li');
    const label = document.createElement('span');
    label.className = 'slide-name';
    label.textContent = t(`slides.fig.${name}`);
    li.append(label);
    for (const format of ['png', 'svg']) {
      const a = document.createElement('a');
      a.className = 'slide-link';
      a.href = `/api/figures/${name}.${format}`;
      a.download = ''; // the server names the file, with the training step
      a.textContent = format.toUpperCase();
      a.setAttribute('aria-label', t('slides.download', { name: label.textContent, format: format.toUpperCase() }));
      li.append(a);
    }
    list.append(li);
  }
}

// lessonFigure says so in the caption when the lesson's picture cannot be loaded. The
// picture never changes, so the image is loaded once, when the view first scrolls to it.
function lessonFigure(el) {
  const img = el.querySelector('#lesson-figure');
  const cap = el.querySelector('#lesson-caption');
  img.addEventListener('error', async () => {
    let msg = '';
    try {
      const res = await fetch(img.src);
      msg = (await res.json()).error || res.statusText;
    } catch (err) {
      msg = err.message;
    }
    img.hidden = true;
    cap.textContent = t('edges.lessonMissing', { msg });
    cap.classList.add('msg-error');
  }, { once: true });
}

// signed returns data times sign (a copy when sign is -1), so that a negated match is
// drawn the way the learned filter looks.
function signed(data, sign) {
  if (sign === 1) return data;
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = -data[i];
  return out;
}
