package digit

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"sync"
)

// encoderPool keeps PNG encoders' compressors between calls: a fresh one allocates about
// a megabyte.
type encoderPool struct{ p sync.Pool }

func (e *encoderPool) Get() *png.EncoderBuffer {
	b, _ := e.p.Get().(*png.EncoderBuffer)
	return b
}

func (e *encoderPool) Put(b *png.EncoderBuffer) { e.p.Put(b) }

var stepEncoder = png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &encoderPool{}}

// StepImage is a Step ready for JSON: its picture as a PNG data URL.
type StepImage struct {
	Name    string `json:"name"`
	Caption string `json:"caption"`
	Width   int    `json:"width"`
	Height  int    `json:"height"`
	PNG     string `json:"png"` // "data:image/png;base64,…", usable as an <img> source
}

// StepImages encodes the pictures of r's steps as small PNG data URLs.
func (r *Result) StepImages() []StepImage {
	out := make([]StepImage, 0, len(r.Steps))
	var buf bytes.Buffer
	for _, s := range r.Steps {
		buf.Reset()
		// Encoding an in-memory grey image to a buffer cannot fail.
		_ = stepEncoder.Encode(&buf, s.Image)
		b := s.Image.Bounds()
		out = append(out, StepImage{
			Name:    s.Name,
			Caption: s.Caption,
			Width:   b.Dx(),
			Height:  b.Dy(),
			PNG:     "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()),
		})
	}
	return out
}
