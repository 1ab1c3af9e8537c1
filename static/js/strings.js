// Every English string the interface shows, in one place, so that another language
// is one more table. Keys are dotted by view. `t(key, vars)` fills {name} placeholders.

const en = {
  'app.title': 'ConvScope',
  'app.tagline': 'watch a convolutional network learn to read digits',

  'conn.connecting': 'connecting…',
  'conn.open': 'live',
  'conn.closed': 'offline — retrying in {s} s',

  'stat.step': 'step',
  'stat.epoch': 'epoch',
  'stat.test': 'test accuracy',
  'stat.speed': 'digits / s',
  'stat.samples': 'digits seen',

  'ctl.start': 'Start',
  'ctl.pause': 'Pause',
  'ctl.resume': 'Resume',
  'ctl.step': 'Step',
  'ctl.reset': 'Reset',
  'ctl.resetConfirm': 'Reset the network to random filters? Training starts over.',
  'ctl.apply': 'Apply',
  'ctl.lr': 'learning rate',
  'ctl.batch': 'batch size',
  'ctl.optimizer': 'optimizer',
  'ctl.opt.adam': 'Adam',
  'ctl.opt.sgd': 'SGD + momentum',
  'ctl.applied': 'Applied.',
  'ctl.failed': 'Refused: {msg}',

  'keys.title': 'Keys',
  'keys.line': 'Space pause/resume · N step · 1–6 views · Enter open filter · Esc close',

  'nav.training': 'Training',
  'nav.filters': 'Learned filters',
  'nav.activations': 'Activations',
  'nav.architecture': 'Architecture',
  'nav.digit': 'Your digit',
  'nav.edges': 'Edge filters',

  'cap.training': 'Filters are learned: with every batch the error falls and more digits come out right.',
  'cap.filters': 'Filters are learned: each kernel starts as random noise and turns into a pattern detector.',
  'cap.activations': 'Filters extract patterns: each map lights up where its filter finds its pattern; deeper layers combine them.',
  'cap.architecture': 'A pyramid of layers: the picture shrinks while the number of filters grows — a hierarchy of features.',
  'cap.digit': 'Your digit, prepared the way MNIST digits were, then passed through every layer.',
  'cap.edges': 'Filters extract patterns: hand-made edge filters light up strokes — and the learned filters come to look like them.',

  'train.loss': 'Loss (lower is better)',
  'train.accuracy': 'Accuracy (higher is better)',
  'train.trainSeries': 'train',
  'train.testSeries': 'test',
  'train.axisSteps': 'step',
  'train.noData': 'Press Start to train.',
  'train.settings': 'Settings',
  'train.figures': 'Figures',
  'train.seen': 'digits seen',
  'train.epochOf': '{e} ({pct}% through)',
  'train.trainAcc': 'train accuracy (recent batches)',
  'train.testAcc': 'test accuracy',
  'train.lossNow': 'train loss',
  'train.testAt': 'test figure: step {step}, {which}',
  'train.testFull': 'all 10 000 test digits',
  'train.testSubset': 'a subset of the test digits',

  'filters.layer': '{name}: {out} filters of {k}×{k}, each over the grey input digit',
  'filters.layerMany': '{name}: {out} filters of {k}×{k}, each over {in} input channels (one row per filter)',
  'filters.open': 'Filter {i} of {name}: press Enter to enlarge',
  'filters.dialog': '{name}, filter {i}',
  'filters.channel': 'input channel {c}',
  'filters.bias': 'bias {b}',
  'filters.close': 'Close',
  'filters.none': 'Waiting for the network…',
  'filters.then': 'when this page opened (step {step})',
  'filters.now': 'now (step {step})',
  'filters.diff': 'what training changed (now − then, its own colour range)',

  'act.input': 'input',
  'act.output': 'prediction',
  'act.probe': 'Probe digit:',
  'act.prev': '◀ previous',
  'act.next': 'next ▶',
  'act.testDigit': 'test digit #{i} (label {label})',
  'act.userDigit': 'your digit',
  'act.drawOwn': 'or draw your own →',
  'act.scale': 'brightness scale',
  'act.scale.layer': 'per layer',
  'act.scale.map': 'per map',
  'act.scale.global': 'whole network',
  'act.maps': '{c} × {h}×{w}',

  'arch.total': 'total parameters: {n}',
  'arch.withRelu': '{name} + ReLU',
  'arch.summary': 'The picture shrinks from {from} to {to} while the maps multiply from {c0} to {c1}: each later map sees a larger part of the digit and stands for a bigger pattern.',
  'arch.params': '{n} params',
  'arch.col.layer': 'layer',
  'arch.col.type': 'type',
  'arch.col.out': 'output C×H×W',
  'arch.col.params': 'parameters',

  'digit.pad': 'Draw a digit here',
  'digit.clear': 'Clear',
  'digit.upload': 'Upload an image…',
  'digit.drop': 'or drop an image file on the pad',
  'digit.probe': 'Use as probe',
  'digit.probeSet': 'Every view now shows your digit.',
  'digit.predict': 'The network says',
  'digit.steps': 'Preparation, step by step',
  'digit.path': 'Its path through every layer',
  'digit.empty': 'Draw or upload a digit.',
  'digit.error': 'Could not read that image: {msg}',

  'edges.hand': 'Hand-made filters on the probe digit',
  'edges.learned': 'Learned first-layer filters on the same digit',
  'edges.lm': 'The Leung–Malik bank, digit-sized',
  'edges.match': 'Which hand-made filter does each learned filter resemble?',
  'edges.col.learned': 'learned',
  'edges.col.map': 'its map',
  'edges.col.match': 'closest hand-made',
  'edges.col.matchMap': 'its map',
  'edges.col.score': 'similarity',
  'edges.waiting': 'Waiting for the filter bank…',
  'edges.filterName': '{name} #{i}',
  'edges.matchName': '{learned} → {sign}{bank}',
  'edges.border': 'Each filter slides over the 28×28 probe with zeros beyond its border, so every map is 28×28 too.',

  'edges.lessonTitle': 'The lesson\'s picture',
  'edges.lessonCaption': 'The lesson\'s two kernels on the first five training digits, orange below zero and blue above, as everywhere here.',
  'edges.lessonAlt': 'The vertical and horizontal 3×3 kernels with their weights, the first five training digits, and each digit filtered by each kernel.',
  'edges.lessonMissing': 'The lesson\'s picture could not be loaded: {msg}',

  'slides.title': 'Figures for slides',
  'slides.note': 'PNG for slides, SVG to scale or edit. Figures of learned filters show the network at the moment you click.',
  'slides.download': 'Download “{name}” as {format}',
  'slides.fig.learned-filters': 'Learned first-layer filters',
  'slides.fig.lesson-edges': 'The lesson\'s kernels on five digits',
  'slides.fig.lm-bank': 'The Leung–Malik bank',
  'slides.fig.matches': 'Each learned filter and its closest hand-made filter',
  'slides.fig.responses': 'Learned and hand-made maps on the same digits',

  'legend.edges': 'responses on the probe: orange below zero, white zero, blue above zero',
};

let table = en;

/** t returns the string for key with {placeholders} replaced from vars. */
export function t(key, vars) {
  let s = table[key];
  if (s === undefined) {
    return key;
  }
  if (vars) {
    s = s.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
  }
  return s;
}

/** applyStrings fills every element carrying data-i18n (text), data-i18n-label (aria-label)
 * or data-i18n-alt (an image's alt text). */
export function applyStrings(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) {
    el.textContent = t(el.dataset.i18n);
  }
  for (const el of root.querySelectorAll('[data-i18n-label]')) {
    el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  }
  for (const el of root.querySelectorAll('[data-i18n-alt]')) {
    el.alt = t(el.dataset.i18nAlt);
  }
}

/** formatNumber writes n with thin grouping, e.g. 52 084. */
export function formatNumber(n) {
  return Math.round(n).toLocaleString('en-US').replace(/,/g, ' ');
}
