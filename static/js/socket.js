// The one websocket of the page (docs/PROTOCOL.md, version 2): connects to /ws,
// reconnects with exponential backoff and jitter, parses JSON frames at once (they are
// small) and hands binary frames over undecoded, so that the page decodes only the latest
// frame of each kind once per animation frame.

/** PROTOCOL is the wire protocol version this page speaks. */
export const PROTOCOL = 2;

/** KIND names the binary frame kinds by their number. */
export const KIND = { 1: 'filters', 2: 'activations', 3: 'edges', 4: 'bank' };

const MAGIC0 = 0x43; // 'C'
const MAGIC1 = 0x53; // 'S'
const HEADER = 28; // fixed header bytes before the meta JSON
const RECORD = 24; // fixed bytes of a tensor record before its data

const BACKOFF_MIN_MS = 500; // first retry soon: the server was probably just restarted
const BACKOFF_MAX_MS = 10000; // never wait longer than this between tries
// SILENCE_MS: the server sends a metrics frame at least every 5 s (keepalive), so this much
// silence means a dead connection (a laptop that slept, a Wi-Fi that roamed): reconnect.
const SILENCE_MS = 15000;

/**
 * connect opens the socket and keeps it open. handlers:
 *   onState(state, retryMs): 'connecting' | 'open' | 'closed'
 *   onJSON(msg): every JSON frame
 *   onBinary(kind, arrayBuffer): every binary frame, undecoded
 * It returns {send(obj), close()}.
 */
export function connect(handlers, url = defaultURL()) {
  let ws = null;
  let backoff = BACKOFF_MIN_MS;
  let timer = 0;
  let closed = false;

  let heard = 0; // when the open socket last brought a frame
  let watchdog = 0;

  function open() {
    handlers.onState?.('connecting', 0);
    const sock = new WebSocket(url);
    ws = sock;
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      backoff = BACKOFF_MIN_MS;
      heard = Date.now();
      clearInterval(watchdog);
      watchdog = setInterval(() => {
        if (ws === sock && Date.now() - heard > SILENCE_MS) {
          console.info('convscope: no frame for', SILENCE_MS / 1000, 's; reconnecting');
          sock.close(); // onclose schedules the reconnect
        }
      }, SILENCE_MS / 3);
      handlers.onState?.('open', 0);
    };
    ws.onmessage = (ev) => {
      heard = Date.now();
      if (typeof ev.data === 'string') {
        let msg;
        try {
          msg = JSON.parse(ev.data);
        } catch (err) {
          console.warn('convscope: bad JSON frame', err);
          return;
        }
        handlers.onJSON?.(msg);
        return;
      }
      const kind = peekKind(ev.data);
      if (kind) {
        handlers.onBinary?.(kind, ev.data);
      }
    };
    ws.onclose = () => {
      clearInterval(watchdog);
      if (ws !== sock) {
        return; // an older socket, already given up by the watchdog
      }
      ws = null;
      if (closed) {
        return;
      }
      const wait = Math.round(backoff * (0.75 + Math.random() * 0.5));
      backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
      handlers.onState?.('closed', wait);
      timer = setTimeout(open, wait);
    };
  }
  open();

  return {
    send(obj) {
      if (ws && ws.readyState === WebSocket.OPEN) {
        ws.send(JSON.stringify(obj));
        return true;
      }
      return false;
    },
    close() {
      closed = true;
      clearTimeout(timer);
      clearInterval(watchdog);
      ws?.close();
    },
  };
}

function defaultURL() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}

// peekKind returns the kind name of a binary frame, or '' for something that is not one.
function peekKind(buf) {
  if (buf.byteLength < HEADER) {
    return '';
  }
  const b = new Uint8Array(buf, 0, 4);
  if (b[0] !== MAGIC0 || b[1] !== MAGIC1 || b[2] !== PROTOCOL) {
    console.warn('convscope: unknown binary frame');
    return '';
  }
  return KIND[b[3]] || '';
}

/**
 * decodeFrame reads a binary frame: {kind, step, t, meta, tensors}, where tensors is a Map
 * from record id to a tensor {id, dims: [n, c, h, w], data: Float32Array, scale, signed}.
 * The records that meta.derived lists (activations) are rebuilt and in the Map too, so a
 * view gets every layer as if each had travelled. It throws on a malformed frame.
 */
export function decodeFrame(buf) {
  const dv = new DataView(buf);
  const kind = KIND[dv.getUint8(3)];
  const m = dv.getUint32(4, true);
  const step = dv.getFloat64(8, true);
  const t = dv.getFloat64(16, true);
  const r = dv.getUint16(24, true);
  if (HEADER + m > buf.byteLength) {
    throw new Error('frame: meta runs past the end');
  }
  const meta = m ? JSON.parse(new TextDecoder().decode(new Uint8Array(buf, HEADER, m))) : {};
  const tensors = new Map();
  let off = HEADER + m;
  for (let i = 0; i < r; i++) {
    if (off + RECORD > buf.byteLength) {
      throw new Error('frame: record header runs past the end');
    }
    const id = dv.getUint16(off, true);
    const enc = dv.getUint8(off + 2);
    const dims = [0, 1, 2, 3].map((k) => dv.getUint16(off + 4 + 2 * k, true));
    const scale = dv.getFloat32(off + 12, true);
    const offset = dv.getFloat32(off + 16, true);
    const len = dv.getUint32(off + 20, true);
    off += RECORD;
    if (off + len > buf.byteLength) {
      throw new Error('frame: record data runs past the end');
    }
    const q = enc === 1 ? new Int8Array(buf, off, len) : new Uint8Array(buf, off, len);
    tensors.set(id, makeTensor(id, dims, q, scale, offset, enc === 1));
    off += len;
  }
  if (Array.isArray(meta.derived)) {
    derive(tensors, meta.derived);
  }
  return { kind, step, t, meta, tensors };
}

/**
 * derive adds to tensors the records that derived describes, in its order (a rebuilt
 * record can feed a later one): 'relu' is max(0, from) element by element, 'flatten' is
 * from's data with dims [n, c·h·w, 1, 1]. It throws when a source is missing or an op is
 * unknown.
 */
export function derive(tensors, derived) {
  for (const d of derived) {
    const src = tensors.get(d.from);
    if (!src) {
      throw new Error(`frame: record ${d.id} derives from missing record ${d.from}`);
    }
    if (tensors.has(d.id)) {
      throw new Error(`frame: record ${d.id} is both sent and derived`);
    }
    const [n, c, h, w] = src.dims;
    if (d.op === 'relu') {
      const data = new Float32Array(src.data.length);
      for (let i = 0; i < data.length; i++) {
        const v = src.data[i];
        data[i] = v > 0 ? v : 0;
      }
      tensors.set(d.id, { id: d.id, dims: [n, c, h, w], data, scale: src.scale, signed: false });
    } else if (d.op === 'flatten') {
      tensors.set(d.id, { id: d.id, dims: [n, c * h * w, 1, 1], data: src.data, scale: src.scale, signed: src.signed });
    } else {
      throw new Error(`frame: record ${d.id} has unknown op ${d.op}`);
    }
  }
}

/**
 * decodeJSONTensor reads a tensor as /api/predict writes it (base64 data).
 */
export function decodeJSONTensor(j) {
  const bin = atob(j.data);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) {
    bytes[i] = bin.charCodeAt(i);
  }
  const signed = j.encoding === 'int8';
  const q = signed ? new Int8Array(bytes.buffer) : bytes;
  return makeTensor(j.id, j.dims, q, j.scale, j.offset || 0, signed);
}

function makeTensor(id, dims, q, scale, offset, signed) {
  const data = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) {
    data[i] = offset + q[i] * scale;
  }
  return { id, dims, data, scale, signed };
}
