// View 4, Architecture: the network as a pyramid of boxes, as in the lesson's VGG figure.
// Each box's front face is the layer's H×W and its depth is the number of channels, so the
// eye sees the picture shrink while the filters multiply. A dense layer is a thin bar as
// tall as its units. A table below gives every layer's shape and parameter count.

import { t, formatNumber } from './strings.js';

const SVG = 'http://www.w3.org/2000/svg';
const PX_PER_PIXEL = 9; // front face: px per row / column of the layer's output
const PX_PER_CHANNEL = 6; // depth: px per channel
const GAP = 60; // space between boxes
const SLOT = 190; // the least width a box takes, so that its labels never overlap the next
const FILL = { input: '#bbbbbb', conv: '#6ca6d4', maxpool: '#ef9a36', dense: '#9a7fc4' };

/** architectureView builds the architecture view inside el. */
export function architectureView(el, { store, invalidate }) {
  const pic = el.querySelector('#arch-picture');
  const table = el.querySelector('#arch-table');
  let drawn = '';

  store.on('model', invalidate);

  function render() {
    const model = store.get('model');
    if (!model) return;
    const key = JSON.stringify(model.layers.map((L) => [L.name, L.out, L.params]));
    if (key === drawn) return;
    drawn = key;
    drawPicture(model);
    drawTable(model);
  }

  function drawPicture(model) {
    el.querySelector('.arch-summary')?.remove();
    el.querySelector('.arch-total')?.remove();
    // Boxes: the input, then every layer that changes the shape (ReLU keeps it: it is
    // named on the conv before it; flatten only re-labels).
    const boxes = [{ name: t('act.input'), type: 'input', out: model.spec.input, params: 0 }];
    for (const L of model.layers) {
      if (L.type === 'relu' && boxes.length > 1) {
        boxes[boxes.length - 1].name = t('arch.withRelu', { name: boxes[boxes.length - 1].name });
        continue;
      }
      if (L.type === 'flatten') continue;
      boxes.push({ name: L.name, type: L.type, out: L.out, params: L.params });
    }
    const dims = boxes.map(boxSize);
    const maxH = Math.max(...dims.map((d) => d.h));
    const maxRise = Math.max(...dims.map((d) => d.d * RISE));
    const top = maxRise + 20;
    let x = 20;
    const svg = document.createElementNS(SVG, 'svg');
    const g = document.createElementNS(SVG, 'g');
    svg.append(g);
    const labelY = top + maxH + 40;
    let prevRight = -1;
    boxes.forEach((b, i) => {
      const { w, h, d } = dims[i];
      const y = top + (maxH - h) / 2;
      const pad = Math.max(0, (SLOT - w - d * RUN) / 2);
      x += pad;
      if (prevRight >= 0) {
        g.append(line(prevRight + 8, top + maxH / 2, x - 8, top + maxH / 2));
      }
      g.append(cuboid(x, y, w, h, d, FILL[b.type] || FILL.conv));
      const cx = x + (w + d * RUN) / 2;
      g.append(text(cx, labelY, b.name, 'arch-name'));
      const shape = b.type === 'dense' ? `${b.out.c}` : `${b.out.c}×${b.out.h}×${b.out.w}`;
      g.append(text(cx, labelY + 30, shape, 'arch-shape'));
      if (b.params > 0) {
        g.append(text(cx, labelY + 58, t('arch.params', { n: formatNumber(b.params) }), 'arch-params'));
      }
      prevRight = x + w + d * RUN;
      x = prevRight + pad + GAP;
    });
    const width = x - GAP + 80;
    const height = labelY + 80;
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', boxes.map((b) => `${b.name} ${b.out.c}×${b.out.h}×${b.out.w}`).join(', '));
    svg.style.minWidth = `${Math.round(width * 0.75)}px`; // labels stay ≥ 16 px on a tablet
    pic.replaceChildren(svg);
    const spatial = boxes.filter((b) => b.out.h > 1 || b.out.w > 1);
    const first = spatial[0];
    const last = spatial[spatial.length - 1];
    const summary = document.createElement('p');
    summary.className = 'arch-summary';
    summary.textContent = t('arch.summary', {
      from: `${first.out.h}×${first.out.w}`,
      to: `${last.out.h}×${last.out.w}`,
      c0: first.out.c,
      c1: Math.max(...spatial.map((b) => b.out.c)),
    });
    const total = document.createElement('p');
    total.className = 'arch-total';
    total.textContent = t('arch.total', { n: formatNumber(model.params) });
    pic.after(summary);
    summary.after(total);
  }

  function drawTable(model) {
    table.replaceChildren();
    const head = table.createTHead().insertRow();
    for (const k of ['arch.col.layer', 'arch.col.type', 'arch.col.out', 'arch.col.params']) {
      const th = document.createElement('th');
      th.textContent = t(k);
      head.append(th);
    }
    const body = table.createTBody();
    for (const L of model.layers) {
      const r = body.insertRow();
      r.insertCell().textContent = L.name;
      r.insertCell().textContent = L.type;
      r.insertCell().textContent = `${L.out.c} × ${L.out.h} × ${L.out.w}`;
      r.insertCell().textContent = formatNumber(L.params);
    }
  }

  return { render };
}

const RUN = 0.75; // the depth axis goes this far right per px of depth…
const RISE = 0.5; // …and this far up

// boxSize gives a layer's box: front face w×h from H×W, depth d from C.
function boxSize(b) {
  if (b.out.h === 1 && b.out.w === 1) {
    return { w: 16, h: Math.min(300, Math.max(60, b.out.c * 2)), d: 12 };
  }
  return {
    w: Math.max(12, b.out.w * PX_PER_PIXEL),
    h: Math.max(12, b.out.h * PX_PER_PIXEL),
    d: Math.max(6, b.out.c * PX_PER_CHANNEL),
  };
}

// cuboid draws a box whose front face is w×h at (x, y), receding d up and to the right.
function cuboid(x, y, w, h, d, fill) {
  const g = document.createElementNS(SVG, 'g');
  g.setAttribute('class', 'arch-box');
  const dx = d * RUN;
  const dy = d * RISE;
  const faces = [
    [[x, y], [x + w, y], [x + w, y + h], [x, y + h]],
    [[x, y], [x + dx, y - dy], [x + w + dx, y - dy], [x + w, y]],
    [[x + w, y], [x + w + dx, y - dy], [x + w + dx, y + h - dy], [x + w, y + h]],
  ];
  const shades = [1, 1.18, 0.82];
  faces.forEach((pts, i) => {
    const p = document.createElementNS(SVG, 'polygon');
    p.setAttribute('points', pts.map((q) => q.join(',')).join(' '));
    p.setAttribute('fill', shade(fill, shades[i]));
    p.setAttribute('stroke', '#222');
    p.setAttribute('stroke-width', '1.5');
    g.append(p);
  });
  return g;
}

function shade(hex, f) {
  const n = parseInt(hex.slice(1), 16);
  const c = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v) => Math.min(255, Math.round(v * f)));
  return `rgb(${c.join(',')})`;
}

function text(x, y, s, cls) {
  const el = document.createElementNS(SVG, 'text');
  el.setAttribute('x', String(x));
  el.setAttribute('y', String(y));
  el.setAttribute('text-anchor', 'middle');
  el.setAttribute('class', cls);
  el.textContent = s;
  return el;
}

function line(x1, y1, x2, y2) {
  const el = document.createElementNS(SVG, 'line');
  for (const [k, v] of Object.entries({ x1, y1, x2, y2 })) el.setAttribute(k, String(v));
  el.setAttribute('class', 'arch-arrow');
  return el;
}
