package nn

import (
	"bytes"
	"errors"
	"os"
	"path"
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadMNIST(t *testing.T) {
	train, test := loadTestMNIST(t)
	if train.N != 60000 || test.N != 10000 || train.H != 28 || train.W != 28 {
		t.Fatalf("LoadMNIST sizes = %d, %d (%d×%d), want 60000, 10000 (28×28)", train.N, test.N, train.H, train.W)
	}
	// The canonical files begin with a 5 (training) and a 7 (test).
	if train.Labels[0] != 5 || test.Labels[0] != 7 {
		t.Errorf("first labels = %d, %d, want 5, 7", train.Labels[0], test.Labels[0])
	}
	x := test.Image(0)
	var ink float32
	for _, v := range x {
		if v < 0 || v > 1 {
			t.Fatalf("Image(0) holds %v, want values in 0..1", v)
		}
		ink += v
	}
	if ink < 20 || ink > 300 {
		t.Errorf("Image(0) ink = %v, want a digit's worth", ink)
	}
	if s := train.Subset(100); s.N != 100 || len(s.Images) != 100*784 || s.Labels[99] != train.Labels[99] {
		t.Errorf("Subset(100) = N %d, %d image bytes", s.N, len(s.Images))
	}
}

// mnistFS copies the real files into a map file system, letting a test damage one.
func mnistFS(t *testing.T) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, f := range mnistFiles {
		b, err := os.ReadFile(path.Join("../samples/mnist", f.name))
		if err != nil {
			t.Fatal(err)
		}
		fsys[path.Join("mnist", f.name)] = &fstest.MapFile{Data: b}
	}
	return fsys
}

func TestLoadMNISTRefusesBadFiles(t *testing.T) {
	const labels = "mnist/t10k-labels-idx1-ubyte.gz"
	good := mnistFS(t)[labels].Data
	flipped := bytes.Clone(good)
	flipped[len(flipped)/2] ^= 1
	tests := []struct {
		name string
		data []byte // nil: the file is missing
		want string
	}{
		{"missing", nil, "t10k-labels"},
		{"bit flipped", flipped, "sha256"},
		{"truncated", good[:100], "sha256"},
	}
	for _, tt := range tests {
		fsys := mnistFS(t)
		if tt.data == nil {
			delete(fsys, labels)
		} else {
			fsys[labels] = &fstest.MapFile{Data: tt.data}
		}
		if tt.name == "truncated" {
			// One whole load is enough to see the error travel out of LoadMNIST; the
			// other cases check the file on its own, which is much faster under -race.
			_, err := loadIDX(fsys, labels, mnistFiles[3])
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrCorrupt) {
				t.Errorf("loading a %s labels file = %v, want ErrCorrupt mentioning %q", tt.name, err, tt.want)
			}
			continue
		}
		_, _, err := LoadMNIST(fsys, "mnist")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("LoadMNIST(%s file) = %v, want an error mentioning %q", tt.name, err, tt.want)
		}
		if tt.name != "missing" && !errors.Is(err, ErrCorrupt) {
			t.Errorf("LoadMNIST(%s file) = %v, want it to wrap ErrCorrupt", tt.name, err)
		}
	}
}
