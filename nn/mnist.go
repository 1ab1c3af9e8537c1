package nn

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sync"
)

// Dataset is a set of gray images held as bytes, converted to float32 one batch at a time.
type Dataset struct {
	N, H, W int
	Images  []byte // N*H*W, 0..255, MNIST polarity (ink is high)
	Labels  []byte
}

// Subset returns the first n samples (all of them if n ≥ N), sharing memory.
func (d *Dataset) Subset(n int) *Dataset {
	n = max(0, min(n, d.N))
	return &Dataset{N: n, H: d.H, W: d.W, Images: d.Images[:n*d.H*d.W], Labels: d.Labels[:n]}
}

// Image returns sample i scaled to 0..1.
func (d *Dataset) Image(i int) []float32 {
	x := make([]float32, d.H*d.W)
	d.imageTo(x, i)
	return x
}

// imageTo writes sample i, scaled to 0..1, into x.
func (d *Dataset) imageTo(x []float32, i int) {
	hw := d.H * d.W
	src := d.Images[i*hw : (i+1)*hw]
	x = x[:len(src)]
	for j, v := range src {
		x[j] = float32(v) * (1.0 / 255)
	}
}

// mnistFile is one of the four canonical MNIST files with its pinned SHA-256.
type mnistFile struct {
	name   string
	sha256 string
	magic  uint32 // 0x803 images, 0x801 labels
}

var mnistFiles = [4]mnistFile{
	{"train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", 0x803},
	{"train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", 0x801},
	{"t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", 0x803},
	{"t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", 0x801},
}

// ErrCorrupt is wrapped by LoadMNIST when a file does not have the pinned checksum or
// does not parse.
var ErrCorrupt = errors.New("corrupt or unexpected file")

// idx is one parsed IDX file.
type idx struct {
	dims []int
	data []byte
}

// LoadMNIST reads the four canonical gzipped IDX files from dir in fsys, verifies the
// SHA-256 of each against the pinned value, and returns the 60,000 training and 10,000
// test digits. The files are checked and decompressed in parallel.
func LoadMNIST(fsys fs.FS, dir string) (train, test *Dataset, err error) {
	// A missing file is the common mistake: say so before decompressing the others.
	for _, f := range mnistFiles {
		if _, err := fs.Stat(fsys, path.Join(dir, f.name)); err != nil {
			return nil, nil, fmt.Errorf("load mnist: %w", err)
		}
	}
	var files [4]idx
	var errs [4]error
	var wg sync.WaitGroup
	for i, f := range mnistFiles {
		wg.Add(1)
		// Exits after reading one file.
		go func() {
			defer wg.Done()
			files[i], errs[i] = loadIDX(fsys, path.Join(dir, f.name), f)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs[:]...); err != nil {
		return nil, nil, fmt.Errorf("load mnist: %w", err)
	}
	train, err = dataset(files[0], files[1])
	if err != nil {
		return nil, nil, fmt.Errorf("load mnist training set: %w", err)
	}
	test, err = dataset(files[2], files[3])
	if err != nil {
		return nil, nil, fmt.Errorf("load mnist test set: %w", err)
	}
	return train, test, nil
}

// loadIDX reads one file, hashes the compressed bytes while another goroutine
// decompresses them, and parses the IDX header.
func loadIDX(fsys fs.FS, name string, f mnistFile) (idx, error) {
	raw, err := fs.ReadFile(fsys, name)
	if err != nil {
		return idx{}, fmt.Errorf("read %s: %w", name, err)
	}
	var sum [sha256.Size]byte
	done := make(chan struct{})
	// Exits after hashing raw.
	go func() {
		sum = sha256.Sum256(raw)
		close(done)
	}()
	plain, gzErr := gunzip(raw)
	<-done
	if got := hex.EncodeToString(sum[:]); got != f.sha256 {
		return idx{}, fmt.Errorf("%s: sha256 %s, want %s: %w", name, got, f.sha256, ErrCorrupt)
	}
	if gzErr != nil {
		return idx{}, fmt.Errorf("%s: %v: %w", name, gzErr, ErrCorrupt)
	}
	d, err := parseIDX(plain, f.magic)
	if err != nil {
		return idx{}, fmt.Errorf("%s: %v: %w", name, err, ErrCorrupt)
	}
	return d, nil
}

// gunzip decompresses a gzip file held in memory. The trailer's size field sizes the
// output exactly; reading to the end makes the reader check the trailer's CRC-32.
func gunzip(raw []byte) ([]byte, error) {
	if len(raw) < 18 {
		return nil, errors.New("too short for gzip")
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	size := binary.LittleEndian.Uint32(raw[len(raw)-4:])
	if size > 1<<28 {
		return nil, fmt.Errorf("gzip trailer claims %d bytes", size)
	}
	out := make([]byte, size)
	if _, err := io.ReadFull(zr, out); err != nil {
		return nil, err
	}
	if n, err := zr.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		if err == nil || err == io.EOF {
			err = errors.New("more data than the gzip trailer says")
		}
		return nil, err
	}
	return out, zr.Close()
}

// parseIDX reads the IDX header: two zero bytes, a type byte (8 = unsigned byte), the
// number of dimensions, then each dimension as a big-endian uint32.
func parseIDX(b []byte, magic uint32) (idx, error) {
	if len(b) < 4 || binary.BigEndian.Uint32(b) != magic {
		return idx{}, fmt.Errorf("bad idx magic, want %#x", magic)
	}
	nd := int(magic & 0xff)
	if len(b) < 4+4*nd {
		return idx{}, errors.New("short idx header")
	}
	dims := make([]int, nd)
	size := 1
	for i := range dims {
		dims[i] = int(binary.BigEndian.Uint32(b[4+4*i:]))
		size *= dims[i]
	}
	data := b[4+4*nd:]
	if len(data) != size {
		return idx{}, fmt.Errorf("idx data has %d bytes, header says %d", len(data), size)
	}
	return idx{dims: dims, data: data}, nil
}

func dataset(images, labels idx) (*Dataset, error) {
	if len(images.dims) != 3 || len(labels.dims) != 1 || images.dims[0] != labels.dims[0] {
		return nil, fmt.Errorf("images %v and labels %v do not match", images.dims, labels.dims)
	}
	for _, l := range labels.data {
		if l >= Classes {
			return nil, fmt.Errorf("label %d out of range: %w", l, ErrCorrupt)
		}
	}
	return &Dataset{N: images.dims[0], H: images.dims[1], W: images.dims[2], Images: images.data, Labels: labels.data}, nil
}
