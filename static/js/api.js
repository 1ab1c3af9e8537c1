// The HTTP API of docs/PROTOCOL.md §2. Every function resolves with the reply's JSON or
// rejects with an Error whose message is the server's own error text.

async function call(path, init) {
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    throw new Error(`network: ${err.message}`);
  }
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  if (!res.ok) {
    throw new Error(body?.error || `${res.status} ${res.statusText}`);
  }
  return body;
}

function postJSON(path, obj) {
  return call(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(obj),
  });
}

/** train sends a control command ({action, lr, batch_size, optimizer, seed}). */
export function train(cmd) {
  return postJSON('/api/train', cmd);
}

/** setProbe makes test digit i the probe everybody sees. */
export function setProbe(i) {
  return postJSON('/api/probe', { test_index: i });
}

/** digits fetches n test digits from offset for the probe picker. */
export function digits(offset, n) {
  return call(`/api/digits?offset=${offset}&n=${n}`);
}

/** predict classifies an image Blob; asProbe also makes it the class's probe. */
export function predict(blob, asProbe = false) {
  const form = new FormData();
  form.append('image', blob, blob.name || 'digit.png');
  if (asProbe) {
    form.append('probe', '1');
  }
  return call('/api/predict', { method: 'POST', body: form });
}
