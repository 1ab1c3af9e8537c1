// View 5, Your digit: a drawing pad (Pointer Events, so mouse, touch and pen alike) and
// image upload (file picker or drag-and-drop). While the student draws, the pad is sent to
// POST /api/predict as a PNG — at most one request in flight, the newest drawing sent
// next — and the page shows the prediction, each preparation step and the digit's path
// through every layer.

import { createNet } from './net.js';
import { probabilityBars } from './draw.js';
import { decodeJSONTensor } from './socket.js';
import { t } from './strings.js';

const PAD = 280; // pad resolution: 10× MNIST's 28 px
const STROKE = 22; // ≈ 2.2 px at 28 px, the width of an MNIST pen stroke
const MIN_GAP_MS = 120; // at most about eight predictions a second while drawing
const MIN_EXTENT = 40; // pad pixels (4 MNIST pixels) of ink before the first prediction

/** digitView builds the digit view inside el. */
export function digitView(el, { store, api, invalidate }) {
  const pad = el.querySelector('#pad');
  const ctx = pad.getContext('2d');
  const file = el.querySelector('#pad-file');
  const probeBtn = el.querySelector('#pad-probe');
  const digitEl = el.querySelector('#predict-digit');
  const barsEl = el.querySelector('#predict-bars');
  const msg = el.querySelector('#predict-msg');
  const steps = el.querySelector('#prep-steps');
  const net = createNet(el.querySelector('#digit-net'));
  const box = el.querySelector('.pad-box');

  let inked = false;
  let inkBox = null; // [minX, minY, maxX, maxY] of the ink drawn since the last clear
  let last = null; // the last point of the stroke being drawn, in pad pixels
  let source = null; // Blob last sent (the pad's PNG or an uploaded file)
  let dirty = false; // the pad changed since the last request
  let inFlight = false;
  let lastSent = 0;
  let timer = 0;
  let reply = null;
  let generation = 0; // bumped by Clear: answers to older requests are dropped
  let requests = 0; // numbers the requests; the newest one holds the in-flight slot

  clear();
  store.on('model', invalidate);

  function clear() {
    generation++;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, PAD, PAD);
    inked = false;
    inkBox = null;
    dirty = false;
    probeBtn.disabled = true;
  }

  function toPad(ev) {
    const r = pad.getBoundingClientRect();
    return [((ev.clientX - r.left) / r.width) * PAD, ((ev.clientY - r.top) / r.height) * PAD];
  }

  function segment(a, b) {
    const [x0, y0, x1, y1] = inkBox || [a[0], a[1], a[0], a[1]];
    inkBox = [Math.min(x0, a[0], b[0]), Math.min(y0, a[1], b[1]), Math.max(x1, a[0], b[0]), Math.max(y1, a[1], b[1])];
    ctx.strokeStyle = '#000';
    ctx.lineWidth = STROKE;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(a[0], a[1]);
    ctx.lineTo(b[0], b[1]);
    ctx.stroke();
  }

  pad.addEventListener('pointerdown', (ev) => {
    if (ev.button !== 0 && ev.pointerType === 'mouse') return;
    ev.preventDefault();
    pad.setPointerCapture(ev.pointerId);
    last = toPad(ev);
    segment(last, last);
    inked = true;
    changed();
  });
  pad.addEventListener('pointermove', (ev) => {
    if (!last || !pad.hasPointerCapture(ev.pointerId)) return;
    const events = ev.getCoalescedEvents ? ev.getCoalescedEvents() : [ev];
    for (const e of events.length ? events : [ev]) {
      const p = toPad(e);
      segment(last, p);
      last = p;
    }
    changed();
  });
  const end = (ev) => {
    if (!last) return;
    last = null;
    if (pad.hasPointerCapture(ev.pointerId)) pad.releasePointerCapture(ev.pointerId);
    changed();
  };
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);

  el.querySelector('#pad-clear').addEventListener('click', () => {
    clear();
    showEmpty();
  });

  file.addEventListener('change', () => {
    if (file.files && file.files[0]) upload(file.files[0]);
    file.value = '';
  });
  box.addEventListener('dragover', (ev) => {
    ev.preventDefault();
    box.classList.add('dropping');
  });
  box.addEventListener('dragleave', () => box.classList.remove('dropping'));
  box.addEventListener('drop', (ev) => {
    ev.preventDefault();
    box.classList.remove('dropping');
    const f = ev.dataTransfer?.files?.[0];
    if (f) upload(f);
  });

  probeBtn.addEventListener('click', async () => {
    if (!source) return;
    try {
      await api.predict(source, true);
      msg.textContent = t('digit.probeSet');
      msg.className = 'msg msg-ok';
    } catch (err) {
      msg.textContent = t('digit.error', { msg: err.message });
      msg.className = 'msg msg-error';
    }
  });

  async function upload(f) {
    clear();
    try {
      const bmp = await createImageBitmap(f);
      const s = Math.min(PAD / bmp.width, PAD / bmp.height);
      const w = bmp.width * s;
      const h = bmp.height * s;
      ctx.drawImage(bmp, (PAD - w) / 2, (PAD - h) / 2, w, h);
      bmp.close();
    } catch {
      // The browser cannot show it; the server may still read it (or explain why not).
    }
    send(f);
  }

  // changed notes a new drawing and sends it when the last request is done and the
  // minimum gap has passed.
  function changed() {
    // A dot or a short dash is no digit yet: wait until the ink spans a few MNIST pixels.
    if (!inked || !inkBox || Math.max(inkBox[2] - inkBox[0], inkBox[3] - inkBox[1]) < MIN_EXTENT) return;
    dirty = true;
    pump();
  }

  function pump() {
    if (!dirty || inFlight) return;
    const wait = lastSent + MIN_GAP_MS - performance.now();
    if (wait > 0) {
      clearTimeout(timer);
      timer = setTimeout(pump, wait);
      return;
    }
    dirty = false;
    const gen = generation; // the drawing toBlob encodes; Clear may come before its callback
    const req = ++requests;
    pad.toBlob((blob) => {
      if (blob && gen === generation) {
        send(blob, gen, req);
      } else if (req === requests) {
        inFlight = false;
        pump();
      }
    }, 'image/png');
    inFlight = true; // toBlob is asynchronous: hold the slot from now on
  }

  // send posts blob and shows the answer unless the pad was cleared since generation gen.
  // Only the newest request (req) frees the slot: an upload does not wait for an older pad
  // request, and that request's end must not let a second one start beside the upload's.
  async function send(blob, gen = generation, req = ++requests) {
    inFlight = true;
    lastSent = performance.now();
    source = blob;
    try {
      const r = await api.predict(blob);
      if (gen !== generation) return; // the pad was cleared meanwhile
      reply = r;
      msg.textContent = '';
      probeBtn.disabled = false;
      show(reply);
    } catch (err) {
      if (gen !== generation) return;
      msg.textContent = t('digit.error', { msg: err.message });
      msg.className = 'msg msg-error';
    } finally {
      if (req === requests) {
        inFlight = false;
        pump();
      }
    }
  }

  function showEmpty() {
    reply = null;
    digitEl.textContent = '?';
    delete digitEl.dataset.digit;
    barsEl.replaceChildren();
    steps.replaceChildren();
    net.clear();
    msg.textContent = t('digit.empty');
    msg.className = 'msg';
  }

  function show(r) {
    digitEl.textContent = String(r.digit);
    digitEl.dataset.digit = String(r.digit);
    probabilityBars(barsEl, r.probabilities);
    const items = [];
    for (const s of r.steps || []) {
      const li = document.createElement('li');
      const img = document.createElement('img');
      img.src = s.png;
      img.alt = s.caption;
      const cap = document.createElement('span');
      cap.textContent = s.caption;
      li.append(img, cap);
      items.push(li);
    }
    steps.replaceChildren(...items);
    invalidate();
  }

  function render() {
    const model = store.get('model');
    if (!reply || !model) {
      if (!reply && !msg.textContent) msg.textContent = t('digit.empty');
      return;
    }
    const tensors = new Map();
    if (reply.input) tensors.set(65535, decodeJSONTensor(reply.input));
    for (const a of reply.activations || []) {
      tensors.set(a.id, decodeJSONTensor(a));
    }
    net.update(model.layers, model.spec.input, tensors, reply.probabilities, 'layer');
  }

  return { render };
}
