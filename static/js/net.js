// The network as columns of feature maps, one column per layer, ending in the class
// probabilities: used by the activations view (the probe) and by the digit view (the
// user's digit). Conv outputs are signed (diverging scale); the input, ReLU and pool
// outputs are non-negative (greys, black 0 to white max).

import { paintMap, legend, maxAbs, probabilityBars } from './draw.js';
import { t } from './strings.js';

const MAX_ROWS = 6; // maps per sub-column: a 32-map layer is about as tall as a 6-map one

/** createNet returns a net drawing bound to container. */
export function createNet(container) {
  let shape = '';
  let cols = [];
  let bars = null;

  function build(layers, input) {
    container.replaceChildren();
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
      const rows = Math.min(n, MAX_ROWS);
      const sub = Math.ceil(n / rows);
      const size = flat ? 28 : Math.max(34, Math.min(72, L.out.h * 3));
      grid.style.gridTemplateColumns = `repeat(${sub}, ${size}px)`;
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
  }

  return { update };
}
