// A small store: named slots holding the latest value of each thing the server told us,
// with subscribers per slot. Views subscribe, mark themselves dirty and draw on the next
// animation frame, so however many frames arrive, each view draws only the newest state.

/** createStore returns a store with the given initial slots. */
export function createStore(initial = {}) {
  const state = { ...initial };
  const subs = new Map();
  return {
    /** get returns the current value of slot key. */
    get(key) {
      return state[key];
    },
    /** set stores value in slot key and tells the slot's subscribers. */
    set(key, value) {
      state[key] = value;
      for (const fn of subs.get(key) || []) {
        fn(value);
      }
    },
    /** on calls fn(value) whenever one of keys is set. */
    on(keys, fn) {
      for (const key of [].concat(keys)) {
        if (!subs.has(key)) {
          subs.set(key, []);
        }
        subs.get(key).push(fn);
      }
    },
  };
}

/** HISTORY_MAX bounds the points kept for the curves; when full, every second one goes. */
export const HISTORY_MAX = 4096;

/**
 * historyFrom turns the server's column-wise history into the curves' rows
 * ({step, trainLoss, trainAcc, testAcc, testLoss, testAt}).
 */
export function historyFrom(h) {
  const rows = [];
  if (!h || !h.step) {
    return rows;
  }
  for (let i = 0; i < h.step.length; i++) {
    rows.push({
      step: h.step[i],
      trainLoss: h.train_loss?.[i],
      trainAcc: h.train_accuracy?.[i],
      testAcc: h.test_accuracy?.[i],
      testLoss: h.test_loss?.[i],
      testAt: h.test_at?.[i] || 0,
    });
  }
  return rows;
}

/** appendHistory adds one metrics frame to rows, thinning rows when they are full. */
export function appendHistory(rows, m) {
  const last = rows[rows.length - 1];
  if (last && m.step < last.step) {
    rows.length = 0; // the network was reset
  } else if (last && m.step === last.step) {
    rows.pop();
  }
  rows.push({
    step: m.step,
    trainLoss: m.train_loss,
    trainAcc: m.train_accuracy,
    testAcc: m.test_accuracy,
    testLoss: m.test_loss,
    testAt: m.test_at || 0,
  });
  if (rows.length > HISTORY_MAX) {
    let j = 0;
    for (let i = 0; i < rows.length; i += 2) {
      rows[j++] = rows[i];
    }
    rows.length = j;
  }
  return rows;
}
