package main

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"convscope/nn"
	"convscope/nn/filters"
)

// TestFilterTable: one row per first-layer filter, numbered from 1, each naming a filter
// of the bank with a score in 0..1, then a line with the mean, lowest and highest score.
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
	filterTable(&out, "default", "after one epoch", m)
	rows := 0
	var scores []float64
	summary := ""
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "default  match scores after one epoch: ") {
			summary = line
		}
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
		v, _ := strconv.ParseFloat(score, 64)
		scores = append(scores, v)
	}
	if len(scores) > 0 {
		mean, lo, hi := 0.0, scores[0], scores[0]
		for _, v := range scores {
			mean += v
			lo, hi = min(lo, v), max(hi, v)
		}
		mean /= float64(len(scores))
		// The rows are rounded to 3 places, so the mean of the rows may differ from the
		// printed mean in the last place.
		var gotMean, gotLo, gotHi float64
		if _, err := fmt.Sscanf(strings.TrimPrefix(summary, "default  match scores after one epoch: "),
			"mean %f, min %f, max %f", &gotMean, &gotLo, &gotHi); err != nil {
			t.Fatalf("summary line %q: %v", summary, err)
		}
		if math.Abs(gotMean-mean) > 0.0015 || gotLo != lo || gotHi != hi {
			t.Errorf("summary mean %v min %v max %v, want %.3f %v %v (from the rows)", gotMean, gotLo, gotHi, mean, lo, hi)
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

// TestScoreStats: mean, lowest and highest of the scores.
func TestScoreStats(t *testing.T) {
	ms := []filters.Match{{Score: 0.5}, {Score: 0.25}, {Score: 0.75}, {Score: 0.5}}
	mean, lo, hi := scoreStats(ms)
	if mean != 0.5 || lo != 0.25 || hi != 0.75 {
		t.Errorf("scoreStats = %v, %v, %v; want 0.5, 0.25, 0.75", mean, lo, hi)
	}
}
