// The network as columns of feature maps, one column per layer, ending in the class
// probabilities: used by the activations view (the probe) and by the digit view (the
// user's digit). Conv outputs are signed (diverging scale); the input, ReLU and pool
// outputs are non-negative (greys, black 0 to white max). Faint links behind the columns
// show what feeds what: every map of a conv layer reads all maps of the layer before it,
// while ReLU and pooling work on each map alone.

import { paintMap, legend, maxAbs, probabilityBars } from './draw.js';
import { t } from './strings.js';

const COLUMN_PX = 560; // the height a column of maps may take before it splits in two

/** createNet returns a net drawing bound to container. */
export function createNet(container) {
  let shape = '';
  let cols = [];
  let bars = null;
  let links = null; // the canvas behind the columns
  let linksDirty = true;
  new ResizeObserver(() => {
    linksDirty = true;
  }).observe(container);

  function build(layers, input) {
    container.replaceChildren();
    links = document.createElement('canvas');
    links.className = 'net-links';
    links.setAttribute('aria-hidden', 'true');
    container.append(links);
    linksDirty = true;
    cols = [];
    const all = [{ index: 65535, name: t('act.input'), type: 'input', out: input }];
    for (const L of layers) {
      if (L.type === 'flatten') continue;
      all.push(L);
    }
    const last = all[all.length - 1];
    for (const L of all) {
      if (L === last && L.type === 'dense') continue; // shown as the probability bars
      const col = document.createElement('div');
      col.className = 'net-col';
      const head = document.createElement('div');
      head.className = 'net-head';
      head.innerHTML = `<strong></strong><span></span>`;
      head.firstChild.textContent = L.name;
      head.lastChild.textContent = t('act.maps', { c: L.out.c, h: L.out.h, w: L.out.w });
      const grid = document.createElement('div');
      grid.className = 'net-maps';
      const flat = L.out.h === 1 && L.out.w === 1;
      const n = flat ? 1 : L.out.c;
      const size = flat ? 28 : Math.max(34, Math.min(64, Math.round(L.out.h * 2.4)));
      // As many maps per sub-column as fit the column height; then even sub-columns, filled
      // top to bottom, so that map i of one layer sits level with map i of the next.
      let rows = Math.max(1, Math.min(n, Math.floor(COLUMN_PX / (size + 5))));
      const sub = Math.ceil(n / rows);
      rows = Math.ceil(n / sub);
      grid.style.gridTemplateColumns = `repeat(${sub}, ${size}px)`;
      grid.style.gridTemplateRows = `repeat(${rows}, auto)`;
      grid.style.gridAutoFlow = 'column';
      const tiles = [];
      for (let i = 0; i < n; i++) {
        const c = document.createElement('canvas');
        c.className = flat ? 'net-map net-flat' : 'net-map';
        c.style.width = `${size}px`;
        if (flat) c.style.height = `${Math.min(L.out.c * 4, 400)}px`;
        grid.append(c);
        tiles.push(c);
      }
      const lg = document.createElement('canvas');
      lg.className = 'legend legend-small';
      col.append(head, grid, lg);
      container.append(col);
      cols.push({ L, tiles, legend: lg, flat });
    }
    const out = document.createElement('div');
    out.className = 'net-col net-out';
    out.innerHTML = `<div class="net-head"><strong></strong></div><div class="prob-bars"></div>`;
    out.querySelector('strong').textContent = t('act.output');
    container.append(out);
    bars = out.querySelector('.prob-bars');
  }

  /**
   * update draws the maps. layers: the model's LayerInfo list; tensors: Map id → tensor
   * (65535 the input); probs: 10 numbers; mode: 'layer' | 'map' | 'global'.
   */
  function update(layers, inputShape, tensors, probs, mode = 'layer') {
    const key = layers.map((L) => `${L.name}:${L.out.c}x${L.out.h}x${L.out.w}`).join(',');
    if (key !== shape) {
      shape = key;
      build(layers, inputShape);
    }
    let global = 0;
    if (mode === 'global') {
      for (const c of cols) {
        const tensor = tensors.get(c.L.index);
        if (tensor && !c.flat) global = Math.max(global, maxAbs(tensor.data));
      }
    }
    for (const c of cols) {
      const tensor = tensors.get(c.L.index);
      if (!tensor) continue;
      // Conv and dense outputs are signed by nature (even when this one happens to be
      // all positive); the input, ReLU and pool outputs never go below zero.
      const kind = c.L.type === 'conv' || c.L.type === 'dense' ? 'diverging' : 'grey';
      const [, C, H, W] = tensor.dims;
      if (c.flat) {
        const range = maxAbs(tensor.data);
        paintMap(c.tiles[0], tensor.data, 1, C, { kind, range, pixels: 28 });
        legend(c.legend, range, kind);
        continue;
      }
      const layerRange = mode === 'global' ? global : maxAbs(tensor.data);
      for (let i = 0; i < C && i < c.tiles.length; i++) {
        const off = i * H * W;
        const range = mode === 'map' ? maxAbs(tensor.data, off, H * W) : layerRange;
        paintMap(c.tiles[i], tensor.data, W, H, { kind, range, off });
      }
      legend(c.legend, layerRange, kind);
    }
    if (probs) probabilityBars(bars, probs);
    if (linksDirty) {
      linksDirty = false;
      drawLinks();
    }
  }

  // drawLinks draws the connections between consecutive columns, in container pixels.
  function drawLinks() {
    links.style.width = '0px'; // measure the columns alone
    links.style.height = '0px';
    const w = container.scrollWidth;
    const h = container.scrollHeight;
    const dpr = window.devicePixelRatio || 1;
    links.style.width = `${w}px`;
    links.style.height = `${h}px`;
    links.width = Math.round(w * dpr);
    links.height = Math.round(h * dpr);
    const ctx = links.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const base = container.getBoundingClientRect();
    const ox = container.scrollLeft - base.left;
    const oy = container.scrollTop - base.top;
    const ends = (els, side) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        return [(side === 'right' ? r.right : r.left) + ox, (r.top + r.bottom) / 2 + oy];
      });
    const rows = bars ? Array.from(bars.children) : [];
    for (let i = 0; i < cols.length; i++) {
      const from = ends(cols[i].tiles, 'right');
      const next = cols[i + 1];
      const to = next ? ends(next.tiles, 'left') : ends(rows.length ? rows : [bars], 'left');
      const oneToOne = next && (next.L.type === 'relu' || next.L.type === 'maxpool') && from.length === to.length;
      ctx.strokeStyle = oneToOne ? 'rgba(60,60,60,0.35)' : `rgba(60,60,60,${Math.max(0.03, Math.min(0.25, 6 / (from.length * to.length)))})`;
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (let a = 0; a < from.length; a++) {
        for (let b = 0; b < to.length; b++) {
          if (oneToOne && a !== b) continue;
          const [x0, y0] = from[a];
          const [x1, y1] = to[b];
          const mx = (x0 + x1) / 2;
          ctx.moveTo(x0, y0);
          ctx.bezierCurveTo(mx, y0, mx, y1, x1, y1);
        }
      }
      ctx.stroke();
    }
  }

  /** clear empties the drawing (the next update builds it again). */
  function clear() {
    container.replaceChildren();
    shape = '';
    cols = [];
    bars = null;
  }

  return { update, clear };
}
