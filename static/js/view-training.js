// View 1, Training: loss and accuracy curves for train and test, and the
// hyperparameters (learning rate, batch size, optimizer) sent with POST /api/train.

import { lineChart, SERIES_COLOURS } from './draw.js';
import { t, formatNumber } from './strings.js';

/** trainingView builds the training view inside el. */
export function trainingView(el, { store, command, invalidate }) {
  const lossCanvas = el.querySelector('#chart-loss');
  const accCanvas = el.querySelector('#chart-acc');
  const note = el.querySelector('#test-note');
  const form = el.querySelector('#train-form');
  const lr = el.querySelector('#in-lr');
  const batch = el.querySelector('#in-batch');
  const opt = el.querySelector('#in-opt');
  const msg = el.querySelector('#train-msg');
  const figures = el.querySelector('#train-figures');
  let edited = false; // the teacher is typing: do not overwrite the fields

  store.on(['history', 'progress'], invalidate);
  store.on('config', (c) => {
    if (!edited && c) {
      lr.value = String(c.lr);
      batch.value = String(c.batch_size);
      opt.value = c.optimizer;
    }
  });
  form.addEventListener('input', () => {
    edited = true;
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    msg.textContent = '';
    const err = await command({
      action: 'set',
      lr: Number(lr.value),
      batch_size: Number(batch.value),
      optimizer: opt.value,
    });
    if (!err) {
      edited = false;
      msg.textContent = t('ctl.applied');
      msg.className = 'msg msg-ok';
    }
  });

  function render() {
    const rows = store.get('history') || [];
    const trainLoss = [];
    const trainAcc = [];
    const testLoss = [];
    const testAcc = [];
    let lastTestAt = 0;
    for (const r of rows) {
      if (r.step === 0) continue; // before the first batch there is nothing to plot
      if (Number.isFinite(r.trainLoss)) trainLoss.push([r.step, r.trainLoss]);
      if (Number.isFinite(r.trainAcc)) trainAcc.push([r.step, r.trainAcc]);
      // A test figure is a point at the step it was measured, once.
      if (r.testAt > 0 && r.testAt !== lastTestAt) {
        lastTestAt = r.testAt;
        testAcc.push([r.testAt, r.testAcc]);
        if (Number.isFinite(r.testLoss) && r.testLoss > 0) testLoss.push([r.testAt, r.testLoss]);
      }
    }
    const xLabel = t('train.axisSteps');
    const train = { colour: SERIES_COLOURS.train, label: t('train.trainSeries') };
    const test = { colour: SERIES_COLOURS.test, dash: true, marks: true, label: t('train.testSeries') };
    lineChart(lossCanvas, [{ ...train, points: trainLoss }, { ...test, points: testLoss }], {
      yMin: 0,
      xLabel,
    });
    lineChart(accCanvas, [{ ...train, points: trainAcc }, { ...test, points: testAcc }], {
      yMin: 0,
      yMax: 1,
      xLabel,
      percent: true,
    });
    lossCanvas.dataset.points = String(trainLoss.length);
    const p = store.get('progress');
    renderFigures(p);
    if (!p || (p.step === 0 && !p.running)) {
      note.textContent = t('train.noData');
    } else if (p.test_at > 0) {
      note.textContent = t('train.testAt', {
        step: p.test_at,
        which: t(p.test_full ? 'train.testFull' : 'train.testSubset'),
      });
    } else {
      note.textContent = '';
    }
  }

  function renderFigures(p) {
    if (!p) return;
    const pct = (v) => `${(v * 100).toFixed(1)}%`;
    const rows = [
      ['train.seen', formatNumber(p.samples_seen || 0)],
      ['stat.epoch', t('train.epochOf', { e: (p.epoch || 0) + 1, pct: Math.round((p.epoch_fraction || 0) * 100) })],
      ['train.lossNow', Number.isFinite(p.train_loss) && p.step > 0 ? p.train_loss.toFixed(3) : '–'],
      ['train.trainAcc', p.step > 0 ? pct(p.train_accuracy || 0) : '–'],
      ['train.testAcc', p.test_at > 0 ? pct(p.test_accuracy) : '–'],
    ];
    if (figures.children.length !== rows.length * 2) {
      figures.replaceChildren();
      for (const [key] of rows) {
        const dt = document.createElement('dt');
        dt.textContent = t(key);
        figures.append(dt, document.createElement('dd'));
      }
    }
    rows.forEach(([, v], i) => {
      figures.children[i * 2 + 1].textContent = v;
    });
  }

  return { render };
}
