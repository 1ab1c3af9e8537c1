package kern

import (
	"os/exec"
	"testing"
)

// TestAVX2FileIsGenerated fails when kern_avx2_amd64.go no longer matches what
// gen_avx2.go makes from kern_avx512_amd64.go (someone edited one path only).
func TestAVX2FileIsGenerated(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles and runs the generator")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	out, err := exec.Command(goTool, "run", "gen_avx2.go", "-check").CombinedOutput()
	if err != nil {
		t.Fatalf("go run gen_avx2.go -check: %v\n%s", err, out)
	}
}

// TestImplFollowsEnvironment checks that Impl names the forced path, or the fastest one.
func TestImplFollowsEnvironment(t *testing.T) {
	want := available()[0].name
	if forced := getenvKernel(); forced != "" {
		want = forced
	}
	if got := Impl(); got != want {
		t.Errorf("Impl() = %q, want %q", got, want)
	}
}
