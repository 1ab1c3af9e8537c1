package digit

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Labeled is one image of a labelled test set, prepared for the network.
type Labeled struct {
	Name  string    // file name
	Label int       // 0..9, from the file name
	Input []float32 // Side*Side, prepared by Prepare with DefaultLimits
}

// LoadSet prepares every PNG file in dir whose name begins with its label and an
// underscore (e.g. "7_dejavusans_inv_0042.png"), sorted by name. Other files are ignored;
// a file that fails to prepare is an error.
func LoadSet(fsys fs.FS, dir string) ([]Labeled, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("load digit set %q: %w", dir, err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		n := e.Name()
		if e.Type().IsRegular() && strings.HasSuffix(n, ".png") && len(n) > 2 && n[0] >= '0' && n[0] <= '9' && n[1] == '_' {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	out := make([]Labeled, 0, len(names))
	for _, n := range names {
		data, err := fs.ReadFile(fsys, path.Join(dir, n))
		if err != nil {
			return nil, fmt.Errorf("load digit set %q: %w", dir, err)
		}
		r, err := Prepare(data, DefaultLimits())
		if err != nil {
			return nil, fmt.Errorf("load digit set %q: %s: %w", dir, n, err)
		}
		out = append(out, Labeled{Name: n, Label: int(n[0] - '0'), Input: r.Input})
	}
	return out, nil
}
