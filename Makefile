# ConvScope. `make run` serves the app on :8080; `make test` runs every check.
# The SIMD kernels are behind Go's SIMD experiment; plain `go build` uses the portable path.
GOARCH_HOST := $(shell go env GOARCH)
ifeq ($(GOARCH_HOST),amd64)
export GOEXPERIMENT := simd
endif

STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
BENCHSTAT   := golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
ADDR        ?= :8080
STATE       ?= state

.PHONY: run build test check unit portable browser bench accuracy loadtest fuzz

run:
	go run . -addr $(ADDR) -state $(STATE)

build:
	go build -o bin/convscope .

test: check unit portable browser

check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	go vet ./...
	go run $(STATICCHECK) ./...

unit:
	go test -race -count=1 $$(go list ./... | grep -v /e2e)

# The portable (non-SIMD) kernels, checked against the reference as well.
portable:
	GOEXPERIMENT= go test -count=1 ./nn/...

browser:
	go test -count=1 -timeout 15m ./e2e/...

# Training samples/s of the lesson nets and the default net (1 and 2 workers, batch 32),
# one image's forward pass with all activations, start-up, the kernels' GFLOP/s and one
# prediction request's work; 6 runs each, summarised by benchstat. About 5 minutes.
bench:
	go test -run='^$$' -bench='Train|Trace|Startup' -benchmem -count=6 ./nn/ | tee bench.txt
	go test -run='^$$' -bench='Gemm' -benchtime=200ms -count=6 ./nn/internal/kern/ | tee -a bench.txt
	go test -run='^$$' -bench='Predict280PNG' -benchmem -count=6 ./digit/ | tee -a bench.txt
	go run $(BENCHSTAT) bench.txt

accuracy:
	go run ./cmd/accuracy

loadtest:
	go run ./cmd/loadtest -viewers 200

fuzz:
	go test -run='^$$' -fuzz=FuzzPrepare -fuzztime=60s ./digit/
