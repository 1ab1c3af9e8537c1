// View 3, Activations: the probe digit's feature maps for every layer, live, in columns,
// ending in the class probabilities. The probe is a test digit (picked from a strip of
// thumbnails or stepped through) or the user's own digit (from the digit view).

import { createNet } from './net.js';
import { paintMap } from './draw.js';
import { t } from './strings.js';

const PICKER_N = 16; // test digits shown in the picker strip

/** activationsView builds the activations view inside el. */
export function activationsView(el, { store, api, invalidate }) {
  const net = createNet(el.querySelector('#act-net'));
  const label = el.querySelector('#probe-label');
  const scale = el.querySelector('#act-scale');
  const picker = el.querySelector('#probe-picker');
  const msg = document.createElement('p');
  msg.className = 'msg msg-error';
  msg.setAttribute('role', 'alert');
  picker.after(msg);
  let pickerOffset = -1;
  let loading = false;

  store.on(['activations', 'model', 'probe'], invalidate);
  scale.addEventListener('change', invalidate);

  async function pick(i) {
    const size = store.get('testSize') || 10000;
    i = ((i % size) + size) % size;
    try {
      await api.setProbe(i);
      msg.textContent = '';
    } catch (err) {
      msg.textContent = err.message;
    }
  }
  el.querySelector('#probe-prev').addEventListener('click', () => pick(currentIndex() - 1));
  el.querySelector('#probe-next').addEventListener('click', () => pick(currentIndex() + 1));

  function currentIndex() {
    const p = store.get('probe');
    return p && p.source === 'test' ? p.index : 0;
  }

  async function loadPicker(offset) {
    pickerOffset = offset;
    loading = true;
    let reply;
    try {
      reply = await api.digits(offset, PICKER_N);
    } catch (err) {
      msg.textContent = err.message;
      return;
    } finally {
      loading = false;
      invalidate(); // the probe may have moved on while the digits were on their way
    }
    picker.replaceChildren();
    for (const d of reply.digits) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'digit-thumb';
      b.dataset.index = String(d.index);
      b.setAttribute('aria-label', t('act.testDigit', { i: d.index, label: d.label }));
      const c = document.createElement('canvas');
      b.append(c);
      picker.append(b);
      const bytes = Uint8Array.from(atob(d.data), (ch) => ch.charCodeAt(0));
      paintMap(c, bytes, 28, 28, { kind: 'grey', range: 255, pixels: 56 });
      b.addEventListener('click', () => pick(d.index));
    }
    markPicked();
  }

  function markPicked() {
    const p = store.get('probe');
    for (const b of picker.children) {
      b.classList.toggle('picked', p?.source === 'test' && Number(b.dataset.index) === p.index);
    }
  }

  function render() {
    const p = store.get('probe');
    // The picker shows the page of test digits that holds the probe.
    const want = p && p.source === 'test' ? Math.floor(p.index / PICKER_N) * PICKER_N : Math.max(pickerOffset, 0);
    if (!loading && want !== pickerOffset && store.get('model')) {
      loadPicker(want);
    }
    if (p) {
      label.textContent =
        p.source === 'user' ? t('act.userDigit') : t('act.testDigit', { i: p.index, label: p.label });
    }
    markPicked();
    const model = store.get('model');
    const frame = store.get('activations');
    if (!model || !frame) return;
    net.update(model.layers, model.spec.input, frame.tensors, frame.meta.probabilities, scale.value);
    el.querySelector('#act-net').dataset.step = String(frame.step);
  }

  return { render };
}
