package main

import (
	"bufio"
	"bytes"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"convscope/nn"
	"convscope/nn/filters"
)

// TestFilterTable: one row per first-layer filter, numbered from 1, each naming a filter
// of the bank with a score in 0..1.
func TestFilterTable(t *testing.T) {
	m, err := nn.NewModel(nn.DefaultSpec(), 1)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range filters.Bank() {
		names[f.Name] = true
	}
	var out bytes.Buffer
	filterTable(&out, "default", m)
	rows := 0
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "  ") || strings.HasPrefix(line, "  filter") {
			continue
		}
		rows++
		f := strings.Fields(line)
		// The name may hold spaces ("edge 30° σ=1"): number first, score and sign last.
		num, score, name := f[0], f[len(f)-2], strings.Join(f[1:len(f)-2], " ")
		if want := strconv.Itoa(rows); num != want {
			t.Errorf("row %d numbered %q, want %q", rows, num, want)
		}
		if !names[name] {
			t.Errorf("row %d: %q is not a bank filter", rows, name)
		}
		if score < "0.000" || score > "1.000" || len(score) != 5 {
			t.Errorf("row %d: score %q, want 0.000..1.000", rows, score)
		}
	}
	if want := m.ConvWeights()[0].Out; rows != want {
		t.Errorf("filterTable printed %d rows, want %d:\n%s", rows, want, out.String())
	}
}

// TestFontAccuracyNeedsDigits: a folder without fonts/ is an error, not 0%.
func TestFontAccuracyNeedsDigits(t *testing.T) {
	m, err := nn.NewModel(nn.DefaultSpec(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fontAccuracy(&bytes.Buffer{}, filepath.Join(t.TempDir(), "none"), "default", m); err == nil {
		t.Error("fontAccuracy on a folder without fonts/ returned no error")
	}
}
