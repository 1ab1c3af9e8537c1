// View 2, Learned filters: every conv layer's kernels, live, on the diverging scale with
// one range per layer (its largest |weight|) and a legend. A filter with several input
// channels is one strip, a kernel per channel. Click or Enter enlarges a filter with its
// numbers; the enlarged filter keeps updating while training runs. The first layer is also
// shown as it was when the page opened, so the class sees noise turn into patterns.

import { paintMap, paintStrip, legend, maxAbs, cssDiverging, fmt } from './draw.js';
import { t } from './strings.js';

/** filtersView builds the learned-filters view inside el. */
export function filtersView(el, { store, invalidate }) {
  const box = el.querySelector('#filters-layers');
  const dialog = el.querySelector('#filter-dialog');
  const dialogTitle = el.querySelector('#filter-dialog-title');
  const dialogBody = el.querySelector('#filter-dialog-body');
  let shape = ''; // layer structure the DOM was built for
  let blocks = [];
  let open = null; // {layer, filter} shown in the dialog
  let initial = null; // the earliest filters frame seen (a reset starts it again)
  let then = null; // {tiles, label, nowLabel} of the first layer's "then" row

  store.on('filters', (f) => {
    if (!initial || f.step < initial.step) {
      initial = f;
      shape = ''; // rebuild, so that the "then" row shows the new start
    }
    invalidate();
  });
  dialog.addEventListener('close', () => {
    open = null;
  });

  function build(frame) {
    box.replaceChildren();
    blocks = [];
    then = null;
    for (const L of frame.meta.layers || []) {
      const tensor = frame.tensors.get(L.index);
      if (!tensor) continue;
      const [out, inC, k] = tensor.dims;
      const block = document.createElement('section');
      block.className = 'filter-layer';
      const head = document.createElement('div');
      head.className = 'filter-layer-head';
      const h = document.createElement('h2');
      h.textContent = t(inC > 1 ? 'filters.layerMany' : 'filters.layer', { name: L.name, out, in: inC, k });
      const lg = document.createElement('canvas');
      lg.className = 'legend';
      head.append(h, lg);
      const grid = document.createElement('div');
      grid.className = inC > 1 ? 'filter-grid filter-grid-deep' : 'filter-grid';
      const tiles = [];
      for (let o = 0; o < out; o++) {
        const c = document.createElement('canvas');
        c.className = 'filter-tile';
        c.tabIndex = 0;
        c.setAttribute('role', 'button');
        c.setAttribute('aria-label', t('filters.open', { i: o + 1, name: L.name }));
        c.style.setProperty('--cols', String(inC * (k + 1) - 1));
        const openIt = () => openDialog(L.index, o);
        c.addEventListener('click', openIt);
        c.addEventListener('keydown', (ev) => {
          // Enter opens; Space stays the page-wide pause key.
          if (ev.key === 'Enter') {
            ev.preventDefault();
            ev.stopPropagation();
            openIt();
          }
        });
        grid.append(c);
        tiles.push(c);
      }
      if (blocks.length === 0 && inC === 1 && initial) {
        // The first layer, then and now.
        const thenLabel = document.createElement('p');
        thenLabel.className = 'then-label';
        const thenGrid = document.createElement('div');
        thenGrid.className = 'filter-grid filter-grid-then';
        const thenTiles = [];
        for (let o = 0; o < out; o++) {
          const c = document.createElement('canvas');
          c.className = 'filter-tile filter-then';
          thenGrid.append(c);
          thenTiles.push(c);
        }
        const diffLabel = document.createElement('p');
        diffLabel.className = 'then-label';
        diffLabel.textContent = t('filters.diff');
        const diffGrid = document.createElement('div');
        diffGrid.className = 'filter-grid filter-grid-then';
        const diffTiles = [];
        for (let o = 0; o < out; o++) {
          const c = document.createElement('canvas');
          c.className = 'filter-tile filter-then';
          diffGrid.append(c);
          diffTiles.push(c);
        }
        const nowLabel = document.createElement('p');
        nowLabel.className = 'then-label';
        block.append(head, thenLabel, thenGrid, diffLabel, diffGrid, nowLabel, grid);
        then = { index: L.index, tiles: thenTiles, diffTiles, label: thenLabel, nowLabel, drawn: false };
      } else {
        block.append(head, grid);
      }
      box.append(block);
      blocks.push({ index: L.index, name: L.name, tiles, legend: lg });
    }
  }

  function openDialog(layer, filter) {
    open = { layer, filter };
    renderDialog(store.get('filters'));
    if (!dialog.open) dialog.showModal();
  }

  function renderDialog(frame) {
    if (!open || !frame) return;
    const tensor = frame.tensors.get(open.layer);
    const L = (frame.meta.layers || []).find((l) => l.index === open.layer);
    if (!tensor || !L) return;
    const [, inC, k] = tensor.dims;
    const range = maxAbs(tensor.data);
    dialogTitle.textContent = t('filters.dialog', { name: L.name, i: open.filter + 1 });
    const tables = [];
    for (let c = 0; c < inC; c++) {
      const fig = document.createElement('figure');
      const table = document.createElement('table');
      table.className = inC > 1 ? 'weights weights-small' : 'weights';
      for (let y = 0; y < k; y++) {
        const tr = table.insertRow();
        for (let x = 0; x < k; x++) {
          const v = tensor.data[((open.filter * inC + c) * k + y) * k + x];
          const td = tr.insertCell();
          td.textContent = v.toFixed(2);
          td.style.background = cssDiverging(v / range);
          td.style.color = Math.abs(v / range) > 0.55 ? '#fff' : '#000';
        }
      }
      fig.append(table);
      if (inC > 1) {
        const cap = document.createElement('figcaption');
        cap.textContent = t('filters.channel', { c: c + 1 });
        fig.append(cap);
      }
      tables.push(fig);
    }
    const bias = document.createElement('p');
    bias.textContent = t('filters.bias', { b: fmt(L.bias?.[open.filter] ?? 0) });
    dialogBody.replaceChildren(...tables, bias);
  }

  function render() {
    const frame = store.get('filters');
    if (!frame) {
      if (!box.textContent) box.textContent = t('filters.none');
      return;
    }
    const key = (frame.meta.layers || [])
      .map((L) => `${L.index}:${frame.tensors.get(L.index)?.dims.join('x')}`)
      .join(',');
    if (key !== shape) {
      shape = key;
      build(frame);
    }
    for (const b of blocks) {
      const tensor = frame.tensors.get(b.index);
      if (!tensor) continue;
      const [out, inC, k] = tensor.dims;
      const range = maxAbs(tensor.data);
      for (let o = 0; o < out; o++) {
        const off = o * inC * k * k;
        if (inC === 1) {
          paintMap(b.tiles[o], tensor.data, k, k, { off, range });
        } else {
          paintStrip(b.tiles[o], tensor.data, inC, k, k, { off, range });
        }
      }
      legend(b.legend, range);
    }
    if (then) {
      const t0 = initial.tensors.get(then.index);
      if (t0 && !then.drawn) {
        const [out, , k] = t0.dims;
        const range = maxAbs(t0.data);
        for (let o = 0; o < out; o++) {
          paintMap(then.tiles[o], t0.data, k, k, { off: o * k * k, range });
        }
        then.label.textContent = t('filters.then', { step: initial.step });
        then.drawn = true;
      }
      then.nowLabel.textContent = t('filters.now', { step: frame.step });
      const now = frame.tensors.get(then.index);
      if (t0 && now && now.data.length === t0.data.length) {
        const [out, , k] = now.dims;
        const diff = new Float32Array(now.data.length);
        for (let i = 0; i < diff.length; i++) diff[i] = now.data[i] - t0.data[i];
        const range = maxAbs(diff);
        for (let o = 0; o < out; o++) {
          paintMap(then.diffTiles[o], diff, k, k, { off: o * k * k, range });
        }
      }
    }
    box.dataset.step = String(frame.step);
    renderDialog(frame);
  }

  return { render };
}
