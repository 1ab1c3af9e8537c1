package server

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// ProtocolVersion is the version of the wire protocol in docs/PROTOCOL.md. It is sent in
// hello and in the header of every binary frame.
const ProtocolVersion = 2

// Binary frame kinds (docs/PROTOCOL.md §1.2).
const (
	BinFilters     = 1
	BinActivations = 2
	BinEdges       = 3
	BinBank        = 4
)

// Tensor encodings in binary records and JSON tensors.
const (
	EncInt8  = 1 // value = offset + int8(q)·scale
	EncUint8 = 2 // value = offset + uint8(q)·scale
)

// InputID is the record id of the probe input in an activations frame.
const InputID = 0xFFFF

const (
	binHeaderLen    = 28
	binRecordHeader = 24
)

// Tensor is one quantised tensor, as it travels in a binary record or a JSON reply.
type Tensor struct {
	ID       int     `json:"id"`
	Dims     [4]int  `json:"dims"` // n, c, h, w
	Encoding string  `json:"encoding"`
	Scale    float32 `json:"scale"`
	Offset   float32 `json:"offset"`
	Data     []byte  `json:"data"` // base64 in JSON
}

// Values decodes the tensor back to float32 (tests and the load tool use it).
func (t *Tensor) Values() []float32 {
	out := make([]float32, len(t.Data))
	for i, q := range t.Data {
		if t.Encoding == "int8" {
			out[i] = t.Offset + float32(int8(q))*t.Scale
		} else {
			out[i] = t.Offset + float32(q)*t.Scale
		}
	}
	return out
}

// Quantise turns v (with the given dims, n·c·h·w == len(v)) into a Tensor: int8 with a
// symmetric scale when any value is negative (so 0 stays exact), else uint8 from 0 to the
// maximum. NaN and ±Inf count as 0.
func Quantise(id int, dims [4]int, v []float32) Tensor {
	if n := dims[0] * dims[1] * dims[2] * dims[3]; n != len(v) {
		panic(fmt.Sprintf("server: quantise %d values with dims %v", len(v), dims))
	}
	var lo, hi float32
	for _, x := range v {
		if !finite(x) {
			continue
		}
		lo = min(lo, x)
		hi = max(hi, x)
	}
	t := Tensor{ID: id, Dims: dims, Data: make([]byte, len(v))}
	if lo < 0 {
		t.Encoding = "int8"
		m := max(-lo, hi)
		t.Scale = m / 127
		for i, x := range v {
			if finite(x) && m > 0 {
				t.Data[i] = byte(int8(max(-127, min(127, math.Round(float64(x/t.Scale))))))
			}
		}
		return t
	}
	t.Encoding = "uint8"
	t.Scale = hi / 255
	for i, x := range v {
		if finite(x) && hi > 0 {
			t.Data[i] = byte(max(0, min(255, math.Round(float64(x/t.Scale)))))
		}
	}
	return t
}

func finite(x float32) bool { return !math.IsNaN(float64(x)) && !math.IsInf(float64(x), 0) }

func encodingByte(e string) byte {
	if e == "int8" {
		return EncInt8
	}
	return EncUint8
}

// EncodeBinary builds one binary frame: header, meta JSON, then the records.
func EncodeBinary(kind byte, step int64, at time.Time, meta any, tensors []Tensor) ([]byte, error) {
	mj, err := json.Marshal(meta)
	if err != nil {
		return nil, fmt.Errorf("encode frame meta: %w", err)
	}
	if len(tensors) > math.MaxUint16 {
		return nil, fmt.Errorf("encode frame: %d tensors is too many", len(tensors))
	}
	size := binHeaderLen + len(mj)
	for _, t := range tensors {
		size += binRecordHeader + len(t.Data)
	}
	b := make([]byte, 0, size)
	b = append(b, 'C', 'S', ProtocolVersion, kind)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(mj)))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(float64(step)))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(millis(at)))
	b = binary.LittleEndian.AppendUint16(b, uint16(len(tensors)))
	b = binary.LittleEndian.AppendUint16(b, 0)
	b = append(b, mj...)
	for _, t := range tensors {
		b = binary.LittleEndian.AppendUint16(b, uint16(t.ID))
		b = append(b, encodingByte(t.Encoding), 0)
		for _, d := range t.Dims {
			if d < 0 || d > math.MaxUint16 {
				return nil, fmt.Errorf("encode frame: dimension %d out of range", d)
			}
			b = binary.LittleEndian.AppendUint16(b, uint16(d))
		}
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(t.Scale))
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(t.Offset))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(t.Data)))
		b = append(b, t.Data...)
	}
	return b, nil
}

// Frame is a decoded binary frame (tests and the load tool use it).
type Frame struct {
	Version byte
	Kind    byte
	Step    int64
	T       float64 // server time, ms since the Unix epoch
	Meta    json.RawMessage
	Tensors []Tensor
}

// DecodeBinary parses a binary frame, checking every length against the data.
func DecodeBinary(b []byte) (*Frame, error) {
	if len(b) < binHeaderLen || b[0] != 'C' || b[1] != 'S' {
		return nil, fmt.Errorf("decode frame: not a ConvScope binary frame")
	}
	f := &Frame{Version: b[2], Kind: b[3]}
	if f.Version != ProtocolVersion {
		return nil, fmt.Errorf("decode frame: protocol version %d, want %d", f.Version, ProtocolVersion)
	}
	m := int(binary.LittleEndian.Uint32(b[4:]))
	f.Step = int64(math.Float64frombits(binary.LittleEndian.Uint64(b[8:])))
	f.T = math.Float64frombits(binary.LittleEndian.Uint64(b[16:]))
	r := int(binary.LittleEndian.Uint16(b[24:]))
	b = b[binHeaderLen:]
	if m > len(b) {
		return nil, fmt.Errorf("decode frame: meta length %d past the end", m)
	}
	f.Meta, b = json.RawMessage(b[:m]), b[m:]
	for i := range r {
		if len(b) < binRecordHeader {
			return nil, fmt.Errorf("decode frame: record %d truncated", i)
		}
		t := Tensor{ID: int(binary.LittleEndian.Uint16(b)), Encoding: "uint8"}
		if b[2] == EncInt8 {
			t.Encoding = "int8"
		}
		n := 1
		for j := range 4 {
			t.Dims[j] = int(binary.LittleEndian.Uint16(b[4+2*j:]))
			n *= t.Dims[j]
		}
		t.Scale = math.Float32frombits(binary.LittleEndian.Uint32(b[12:]))
		t.Offset = math.Float32frombits(binary.LittleEndian.Uint32(b[16:]))
		l := int(binary.LittleEndian.Uint32(b[20:]))
		b = b[binRecordHeader:]
		if l != n || l > len(b) {
			return nil, fmt.Errorf("decode frame: record %d has %d bytes for dims %v (%d left)", i, l, t.Dims, len(b))
		}
		t.Data, b = b[:l], b[l:]
		f.Tensors = append(f.Tensors, t)
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("decode frame: %d bytes after the last record", len(b))
	}
	return f, nil
}

// Derivation says how a record left out of an activations frame is rebuilt from another
// record of the same frame (docs/PROTOCOL.md §1.2, kind 2).
type Derivation struct {
	ID   int    `json:"id"`   // the record left out: a layer index
	From int    `json:"from"` // the record it is rebuilt from: a layer index or InputID
	Op   string `json:"op"`   // OpReLU or OpFlatten
}

// Derivation ops.
const (
	OpReLU    = "relu"    // max(0, from), element by element, same dims
	OpFlatten = "flatten" // from's data as they are, dims (n, c·h·w, 1, 1)
)

// Derive appends to ts the records that ds rebuild, in the order of ds (so one derived
// record can be the source of a later one). A ReLU of an int8 record keeps its scale and
// clamps the negative bytes to 0, so the rebuilt values are exactly max(0, source).
func Derive(ts []Tensor, ds []Derivation) ([]Tensor, error) {
	byID := make(map[int]int, len(ts)+len(ds))
	for i, t := range ts {
		byID[t.ID] = i
	}
	for _, d := range ds {
		i, ok := byID[d.From]
		if !ok {
			return ts, fmt.Errorf("derive record %d: no record %d to derive it from", d.ID, d.From)
		}
		if _, dup := byID[d.ID]; dup {
			return ts, fmt.Errorf("derive record %d: the frame already has it", d.ID)
		}
		src := ts[i]
		t := Tensor{ID: d.ID, Dims: src.Dims, Encoding: src.Encoding, Scale: src.Scale, Offset: src.Offset, Data: src.Data}
		switch d.Op {
		case OpReLU:
			if src.Offset != 0 {
				return ts, fmt.Errorf("derive record %d: relu of a record with offset %v", d.ID, src.Offset)
			}
			if src.Encoding == "int8" {
				t.Data = make([]byte, len(src.Data))
				for j, q := range src.Data {
					t.Data[j] = byte(max(0, int8(q)))
				}
			}
		case OpFlatten:
			t.Dims = [4]int{src.Dims[0], src.Dims[1] * src.Dims[2] * src.Dims[3], 1, 1}
		default:
			return ts, fmt.Errorf("derive record %d: unknown op %q", d.ID, d.Op)
		}
		byID[d.ID] = len(ts)
		ts = append(ts, t)
	}
	return ts, nil
}

// millis is t as milliseconds since the Unix epoch, with a fraction.
func millis(t time.Time) float64 { return float64(t.UnixMicro()) / 1000 }
