// Shared canvas helpers. Signed data (weights, filter responses) use a diverging
// orange–white–blue scale centred on zero, safe for the common colour-vision deficiencies;
// non-negative data (activations after ReLU, digits) use greys, black for 0 and white for
// the maximum, like MNIST's own light-on-dark digits. Small maps are written with
// putImageData into a scratch canvas and scaled up with image smoothing off, so every
// value stays a crisp square.

// Anchors of the diverging scale: -1 dark orange … 0 near-white … +1 dark blue.
const DIVERGING_ANCHORS = [
  [-1, [166, 77, 0]],
  [-0.5, [239, 154, 54]],
  [0, [247, 247, 247]],
  [0.5, [108, 166, 212]],
  [1, [20, 86, 160]],
];

/** LUT_SIZE is the number of entries in each colour lookup table. */
export const LUT_SIZE = 256;

function buildDiverging() {
  const lut = new Uint8ClampedArray(LUT_SIZE * 3);
  for (let i = 0; i < LUT_SIZE; i++) {
    const v = (i / (LUT_SIZE - 1)) * 2 - 1;
    let j = 0;
    while (j < DIVERGING_ANCHORS.length - 2 && v > DIVERGING_ANCHORS[j + 1][0]) {
      j++;
    }
    const [v0, c0] = DIVERGING_ANCHORS[j];
    const [v1, c1] = DIVERGING_ANCHORS[j + 1];
    const f = (v - v0) / (v1 - v0);
    for (let k = 0; k < 3; k++) {
      lut[i * 3 + k] = c0[k] + (c1[k] - c0[k]) * f;
    }
  }
  return lut;
}

const DIVERGING = buildDiverging();

/** divergingRGB maps v in [-1, 1] to an [r, g, b] triple. */
export function divergingRGB(v) {
  const i = lutIndex((v + 1) / 2);
  return [DIVERGING[i * 3], DIVERGING[i * 3 + 1], DIVERGING[i * 3 + 2]];
}

/** cssDiverging is divergingRGB as a CSS colour. */
export function cssDiverging(v) {
  const [r, g, b] = divergingRGB(v);
  return `rgb(${r},${g},${b})`;
}

function lutIndex(f) {
  if (!(f > 0)) {
    return 0;
  }
  if (f >= 1) {
    return LUT_SIZE - 1;
  }
  return Math.round(f * (LUT_SIZE - 1));
}

/** maxAbs returns the largest |x| in data[off, off+n), at least a tiny positive number. */
export function maxAbs(data, off = 0, n = data.length - off) {
  let m = 0;
  for (let i = off; i < off + n; i++) {
    const a = Math.abs(data[i]);
    if (a > m) {
      m = a;
    }
  }
  return m > 1e-12 ? m : 1e-12;
}

/** minMax returns [min, max] of data[off, off+n). */
export function minMax(data, off = 0, n = data.length - off) {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = off; i < off + n; i++) {
    const v = data[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) {
    return [0, 0];
  }
  return [lo, hi];
}

const scratch = new Map();

function scratchCanvas(w, h) {
  const key = w + 'x' + h;
  let s = scratch.get(key);
  if (!s) {
    const c = document.createElement('canvas');
    c.width = w;
    c.height = h;
    const ctx = c.getContext('2d');
    s = { canvas: c, ctx, image: ctx.createImageData(w, h) };
    scratch.set(key, s);
  }
  return s;
}

/**
 * fillImage writes one w×h map from data (starting at off) into the RGBA array px at
 * column x0, row y0 of an image pw pixels wide.
 * kind 'diverging' scales by ±range; kind 'grey' maps 0..range to black..white.
 */
function fillImage(px, pw, x0, y0, data, off, w, h, kind, range) {
  const inv = range > 0 ? 1 / range : 0;
  for (let y = 0; y < h; y++) {
    let p = ((y0 + y) * pw + x0) * 4;
    let s = off + y * w;
    for (let x = 0; x < w; x++, p += 4, s++) {
      const v = data[s];
      if (kind === 'grey') {
        const g = lutIndex(v * inv);
        px[p] = g;
        px[p + 1] = g;
        px[p + 2] = g;
      } else {
        const i = lutIndex((v * inv + 1) / 2) * 3;
        px[p] = DIVERGING[i];
        px[p + 1] = DIVERGING[i + 1];
        px[p + 2] = DIVERGING[i + 2];
      }
      px[p + 3] = 255;
    }
  }
}

/**
 * paintMap draws one w×h map on canvas, scaled up by an integer factor so that it fills
 * the canvas's CSS box. opts: kind ('diverging' | 'grey'), range (the value drawn at full
 * colour; default: the map's own max |value|), off (start index in data).
 */
export function paintMap(canvas, data, w, h, opts = {}) {
  const off = opts.off || 0;
  const kind = opts.kind || 'diverging';
  const range = opts.range || maxAbs(data, off, w * h);
  const s = scratchCanvas(w, h);
  fillImage(s.image.data, w, 0, 0, data, off, w, h, kind, range);
  s.ctx.putImageData(s.image, 0, 0);
  blit(canvas, s.canvas, w, h, opts.pixels);
}

/**
 * paintStrip draws n maps of w×h side by side with a 1-value gap (used for a deep
 * filter's input channels). Maps start at off and follow each other in data.
 */
export function paintStrip(canvas, data, n, w, h, opts = {}) {
  const off = opts.off || 0;
  const kind = opts.kind || 'diverging';
  const range = opts.range || maxAbs(data, off, n * w * h);
  const gap = 1;
  const tw = n * w + (n - 1) * gap;
  const s = scratchCanvas(tw, h);
  const px = s.image.data;
  px.fill(255);
  for (let i = 0; i < n; i++) {
    fillImage(px, tw, i * (w + gap), 0, data, off + i * w * h, w, h, kind, range);
  }
  s.ctx.putImageData(s.image, 0, 0);
  blit(canvas, s.canvas, tw, h, opts.pixels);
}

// blit copies a small source onto canvas, scaling by the largest integer factor that fits
// the target size (the canvas's CSS box times the device pixel ratio, or `pixels` wide).
function blit(canvas, src, w, h, pixels) {
  let target = pixels;
  if (!target) {
    const cssW = canvas.clientWidth || w * 8;
    target = Math.round(cssW * (window.devicePixelRatio || 1));
  }
  const f = Math.max(1, Math.floor(target / w));
  const cw = w * f;
  const ch = h * f;
  if (canvas.width !== cw || canvas.height !== ch) {
    canvas.width = cw;
    canvas.height = ch;
  }
  const ctx = canvas.getContext('2d');
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(src, 0, 0, cw, ch);
}

/**
 * legend draws a horizontal colour bar on canvas with the values at both ends and zero
 * (diverging) or 0 and max (grey). Its CSS size sets its resolution.
 */
export function legend(canvas, range, kind = 'diverging') {
  const ctx = sizeToBox(canvas, 320, 56);
  const w = canvas.width;
  const h = canvas.height;
  const dpr = window.devicePixelRatio || 1;
  const barH = Math.round(h * 0.42);
  ctx.clearRect(0, 0, w, h);
  for (let x = 0; x < w; x++) {
    const f = x / (w - 1);
    if (kind === 'grey') {
      const g = Math.round(f * 255);
      ctx.fillStyle = `rgb(${g},${g},${g})`;
    } else {
      ctx.fillStyle = cssDiverging(f * 2 - 1);
    }
    ctx.fillRect(x, 0, 1, barH);
  }
  ctx.strokeStyle = '#555';
  ctx.lineWidth = dpr;
  ctx.strokeRect(0.5, 0.5, w - 1, barH - 1);
  ctx.fillStyle = '#111';
  ctx.font = `${Math.round(16 * dpr)}px system-ui, sans-serif`;
  ctx.textBaseline = 'bottom';
  const lo = kind === 'grey' ? 0 : -range;
  ctx.textAlign = 'left';
  ctx.fillText(fmt(lo), 0, h);
  ctx.textAlign = 'right';
  ctx.fillText(fmt(range), w, h);
  if (kind !== 'grey') {
    ctx.textAlign = 'center';
    ctx.fillText('0', w / 2, h);
  }
}

/** fmt writes a value with 2–3 significant digits. */
export function fmt(v) {
  if (v === 0) {
    return '0';
  }
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 0.01) return v.toFixed(2);
  return v.toExponential(1);
}

// sizeToBox gives canvas a backing store matching its CSS box and the device pixel ratio,
// and returns its 2D context. Reallocates only when the box changed.
export function sizeToBox(canvas, fallbackW, fallbackH) {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round((canvas.clientWidth || fallbackW) * dpr));
  const h = Math.max(1, Math.round((canvas.clientHeight || fallbackH) * dpr));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  return canvas.getContext('2d');
}

/** SERIES_COLOURS are the Okabe–Ito blue and vermilion: distinct for colour-blind viewers. */
export const SERIES_COLOURS = { train: '#0072b2', test: '#d55e00' };

/**
 * lineChart draws series on canvas. series: [{points: [[x, y], …], colour, dash, label}].
 * opts: yMin, yMax (fixed range, else from the data), xLabel, percent (y shown as %).
 */
export function lineChart(canvas, series, opts = {}) {
  const ctx = sizeToBox(canvas, 600, 320);
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.width;
  const h = canvas.height;
  const font = Math.round(17 * dpr);
  ctx.clearRect(0, 0, w, h);
  ctx.font = `${font}px system-ui, sans-serif`;

  let xMin = Infinity;
  let xMax = -Infinity;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (const s of series) {
    for (const [x, y] of s.points) {
      if (x < xMin) xMin = x;
      if (x > xMax) xMax = x;
      if (y < yMin) yMin = y;
      if (y > yMax) yMax = y;
    }
  }
  if (xMin === Infinity) {
    xMin = 0;
    xMax = 1;
    yMin = 0;
    yMax = 1;
  }
  if (opts.yMin !== undefined) yMin = opts.yMin;
  if (opts.yMax !== undefined) yMax = opts.yMax;
  if (xMax <= xMin) xMax = xMin + 1;
  if (yMax <= yMin) yMax = yMin + 1;

  const left = font * 3.6;
  const right = font * 0.8;
  const top = font * 0.8;
  const bottom = font * 2.6;
  const pw = w - left - right;
  const ph = h - top - bottom;
  const X = (x) => left + ((x - xMin) / (xMax - xMin)) * pw;
  const Y = (y) => top + (1 - (y - yMin) / (yMax - yMin)) * ph;

  // Grid and y labels.
  ctx.strokeStyle = '#d0d0d0';
  ctx.lineWidth = dpr;
  ctx.fillStyle = '#222';
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const v of ticks(yMin, yMax, 5)) {
    const y = Y(v);
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(left + pw, y);
    ctx.stroke();
    const label = opts.percent ? `${Math.round(v * 100)}%` : fmt(v);
    ctx.fillText(label, left - font * 0.4, y);
  }
  // x labels.
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const v of ticks(xMin, xMax, 5)) {
    ctx.fillText(compact(v), X(v), top + ph + font * 0.3);
  }
  if (opts.xLabel) {
    ctx.textAlign = 'right';
    ctx.fillText(opts.xLabel, left + pw, top + ph + font * 1.4);
  }
  ctx.strokeStyle = '#444';
  ctx.strokeRect(left, top, pw, ph);

  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, pw, ph);
  ctx.clip();
  for (const s of series) {
    if (s.points.length === 0) continue;
    ctx.strokeStyle = s.colour;
    ctx.lineWidth = 3 * dpr;
    ctx.setLineDash(s.dash ? [8 * dpr, 5 * dpr] : []);
    ctx.lineJoin = 'round';
    ctx.beginPath();
    s.points.forEach(([x, y], i) => (i ? ctx.lineTo(X(x), Y(y)) : ctx.moveTo(X(x), Y(y))));
    ctx.stroke();
    if (s.marks) {
      ctx.fillStyle = s.colour;
      for (const [x, y] of s.points) {
        ctx.beginPath();
        ctx.arc(X(x), Y(y), 4 * dpr, 0, Math.PI * 2);
        ctx.fill();
      }
    }
  }
  ctx.restore();
  ctx.setLineDash([]);
}

function ticks(lo, hi, n) {
  const span = hi - lo;
  const raw = span / n;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => span / s <= n) || 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  }
  return out;
}

function compact(v) {
  const a = Math.abs(v);
  if (a >= 1e6) return (v / 1e6).toFixed(a >= 1e7 ? 0 : 1) + 'M';
  if (a >= 1e3) return (v / 1e3).toFixed(a >= 1e4 ? 0 : 1) + 'k';
  return String(Math.round(v * 100) / 100);
}

/**
 * probabilityBars fills container with ten rows (digit, bar, percentage), reusing the
 * rows it made before; the most likely digit is marked.
 */
export function probabilityBars(container, probs) {
  if (container.children.length !== 10) {
    container.replaceChildren();
    for (let d = 0; d < 10; d++) {
      const row = document.createElement('div');
      row.className = 'prob-row';
      row.innerHTML = `<span class="prob-digit">${d}</span><span class="prob-track"><span class="prob-fill"></span></span><span class="prob-value"></span>`;
      container.append(row);
    }
  }
  let best = 0;
  for (let d = 1; d < 10; d++) {
    if (probs[d] > probs[best]) best = d;
  }
  for (let d = 0; d < 10; d++) {
    const row = container.children[d];
    const p = probs[d] || 0;
    row.querySelector('.prob-fill').style.width = `${(p * 100).toFixed(1)}%`;
    row.querySelector('.prob-value').textContent = `${(p * 100).toFixed(p >= 0.995 || p < 0.005 ? 0 : 1)}%`;
    row.classList.toggle('best', d === best);
  }
}

/** ensureCanvases makes container hold exactly n canvases with className, reusing old ones. */
export function ensureCanvases(container, n, className) {
  while (container.children.length > n) {
    container.lastChild.remove();
  }
  while (container.children.length < n) {
    const c = document.createElement('canvas');
    c.className = className;
    container.append(c);
  }
  return Array.from(container.children);
}
