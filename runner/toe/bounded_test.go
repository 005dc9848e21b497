package toe

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ibgitops/ibgitops/runner/toe/toedoc"
)

// TestHeadTailKeepsHeadAndTail writes streams of many sizes in chunks of
// many sizes: what fits comes back whole; what does not keeps exactly the
// first and last halves, says how many bytes were cut, and never holds more
// than the cap.
func TestHeadTailKeepsHeadAndTail(t *testing.T) {
	const max = 64
	rng := rand.New(rand.NewSource(1))
	for _, size := range []int{0, 1, 31, 32, 33, 63, 64, 65, 100, 128, 1000, 4096} {
		for _, chunk := range []int{1, 3, 7, 32, 33, 64, 65, 5000} {
			data := make([]byte, size)
			for i := range data {
				data[i] = 'a' + byte(rng.Intn(26))
			}
			h := newHeadTail(max, "stdout")
			for p := data; len(p) > 0; {
				k := min(chunk, len(p))
				h.Write(p[:k])
				p = p[k:]
			}
			if cap(h.head)+cap(h.tail) > 2*max {
				t.Errorf("size %d chunk %d: holds %d bytes, cap is %d", size, chunk, cap(h.head)+cap(h.tail), max)
			}
			v := h.value(false)
			if size <= max {
				if v != string(data) {
					t.Errorf("size %d chunk %d: got %q, want it whole", size, chunk, v)
				}
				continue
			}
			c, ok := v.(cutText)
			if !ok {
				t.Fatalf("size %d chunk %d: a stream over the cap must come back cut, got %T", size, chunk, v)
			}
			if !strings.HasPrefix(c.Text, string(data[:max/2])) || !strings.HasSuffix(c.Text, string(data[size-max/2:])) {
				t.Errorf("size %d chunk %d: head or tail lost: %q", size, chunk, c.Text)
			}
			if c.Cut != int64(size-max) || c.Total != int64(size) || !strings.Contains(c.Text, fmt.Sprintf("%d of %d bytes of stdout cut here", size-max, size)) {
				t.Errorf("size %d chunk %d: cut %d total %d, marker in %q", size, chunk, c.Cut, c.Total, c.Text)
			}
		}
	}
}

// TestHeadTailCutsOnCharacters checks the cut never splits a UTF-8
// character, wherever the halves end.
func TestHeadTailCutsOnCharacters(t *testing.T) {
	for shift := 0; shift < 4; shift++ {
		h := newHeadTail(16, "stdout")
		h.Write([]byte(strings.Repeat("x", shift) + strings.Repeat("é€𝄞", 20)))
		c := h.value(false).(cutText)
		if !utf8.ValidString(c.Text) {
			t.Errorf("shift %d: cut split a character: %q", shift, c.Text)
		}
	}
}

// FuzzHeadTail: any writes in, at most the cap kept, head and tail exact.
func FuzzHeadTail(f *testing.F) {
	f.Add([]byte("hello world"), 3, 8)
	f.Add(bytes.Repeat([]byte("ab"), 100), 7, 16)
	f.Fuzz(func(t *testing.T, data []byte, chunk, max int) {
		if chunk < 1 || max < 2 || max > 4096 {
			return
		}
		h := newHeadTail(max, "stdout")
		for p := data; len(p) > 0; {
			k := min(chunk, len(p))
			h.Write(p[:k])
			p = p[k:]
		}
		if len(h.head)+len(h.tail) > max {
			t.Fatalf("kept %d bytes, cap %d", len(h.head)+len(h.tail), max)
		}
		tail := append(append([]byte{}, h.tail[h.next:]...), h.tail[:h.next]...)
		if !bytes.HasPrefix(data, h.head) || !bytes.HasSuffix(data, tail) || h.total != int64(len(data)) {
			t.Fatalf("head %q tail %q of %q", h.head, tail, data)
		}
	})
}

// runDoc runs one document body and returns the summary and detailedoutput.json.
func runDoc(t *testing.T, ctx context.Context, body string) (*Summary, string) {
	t.Helper()
	s, err := Run(ctx, Options{Documents: []DocumentSpec{{Path: writeDoc(t, body)}}, LogDirectory: t.TempDir(), Environ: testEnviron()})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	detail, err := os.ReadFile(filepath.Join(s.LogURL, "detailedoutput.json"))
	if err != nil {
		t.Fatal(err)
	}
	return s, string(detail)
}

// TestLoopsIterateLazily runs loops far too large to materialise (the
// whole int32 range is four billion iterations) and cancels them: the run
// must stop at once, failed, in bounded memory. Before loops were lazy,
// the first case died with "out of memory" before its first iteration.
func TestLoopsIterateLazily(t *testing.T) {
	for _, loop := range []string{
		"for: {start: -2147483648, end: 2147483647, updateBy: 1}",
		"for: {start: 2147483647, end: -2147483648, updateBy: -1}",
		"for: {start: 0, end: 10000000, updateBy: 1}",
	} {
		t.Run(loop, func(t *testing.T) {
			doc := "name: big\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Loop\n        action: Assert\n        loop:\n          " + loop +
				"\n        inputs:\n          stringEquals: '{{ loop.value }}'\n          value: '{{ loop.value }}'\n"
			// The cancel must land past the recorded iterations for the
			// "not recorded" note to be due; on a loaded machine 300 ms may
			// not reach it, so the deadline grows until it does.
			// The wait counts from the loop's start (application.log says
			// "step start"), not from Run: under -race loading and
			// validating alone may take longer than 300 ms.
			var s *Summary
			var detail string
			for wait := 300 * time.Millisecond; ; wait *= 4 {
				s, detail = runCancelledAfterStart(t, doc, wait)
				if s.Status != StatusFailed || !strings.Contains(detail, "interrupted before iteration") {
					t.Fatalf("a cancelled loop must fail saying where it stopped, got %+v", s)
				}
				if stoppedAt(t, detail) > maxRecordedIterations || wait > 20*time.Second {
					break
				}
			}
			if len(detail) > 4*maxKeptOutput {
				t.Errorf("detailedoutput.json has %d bytes: a loop's inputs must be bounded", len(detail))
			}
			if !strings.Contains(detail, "more iteration(s) are not recorded") {
				t.Errorf("the inputs past the first %d iterations must be noted as not recorded", maxRecordedIterations)
			}
		})
	}
}

// runCancelledAfterStart runs doc and cancels it wait after its first step
// has started.
func runCancelledAfterStart(t *testing.T, doc string, wait time.Duration) (*Summary, string) {
	t.Helper()
	logs := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		defer cancel()
		for i := 0; i < 6000; i++ {
			if m, _ := filepath.Glob(filepath.Join(logs, "TOE_*", "application.log")); len(m) > 0 {
				if b, _ := os.ReadFile(m[0]); strings.Contains(string(b), "step start") {
					time.Sleep(wait)
					return
				}
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	s, err := Run(ctx, Options{Documents: []DocumentSpec{{Path: writeDoc(t, doc)}}, LogDirectory: logs, Environ: testEnviron()})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(s.LogURL, "detailedoutput.json"))
	if err != nil {
		t.Fatal(err)
	}
	return s, string(b)
}

// stoppedAt reads the iteration a cancelled loop stopped before from its
// "interrupted before iteration N of M" message.
func stoppedAt(t *testing.T, detail string) int {
	t.Helper()
	m := regexp.MustCompile(`interrupted before iteration (-?\d+)`).FindStringSubmatch(detail)
	if m == nil {
		t.Fatalf("no iteration in %.300s", detail)
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestLargeOutputsAreCut checks the class "a value a step produced is kept
// whole in memory": stdout of one step, a loop's consolidated stdout, and a
// chained reference to either. detailedoutput.json keeps head and tail with
// a marker, console.log keeps everything, chaining a cut value fails naming
// the step.
func TestLargeOutputsAreCut(t *testing.T) {
	big := maxKeptOutput + 4096
	cases := []struct {
		name, steps string
		wantFail    string // the failure message part, "" = success
		console     int    // minimum bytes of console.log
	}{
		{name: "one step", steps: fmt.Sprintf(`
      - name: Big
        action: ExecuteBash
        inputs:
          commands: ["head -c %d /dev/zero | tr '\\0' x"]`, big), console: big},
		{name: "loop consolidates", steps: fmt.Sprintf(`
      - name: Big
        action: ExecuteBash
        loop: {for: {start: 1, end: 3, updateBy: 1}}
        inputs:
          commands: ["head -c %d /dev/zero | tr '\\0' x"]`, maxKeptOutput/2), console: 3 * maxKeptOutput / 2},
		{name: "chained", steps: fmt.Sprintf(`
      - name: Big
        action: ExecuteBash
        inputs:
          commands: ["head -c %d /dev/zero | tr '\\0' x"]
      - name: Uses
        action: ExecuteBash
        inputs:
          commands: ["echo '{{ build.Big.outputs.stdout }}' | wc -c"]`, big), wantFail: "more than the 1024 KiB a chained value may be", console: big},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, detail := runDoc(t, context.Background(), "name: out\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:"+tc.steps+"\n")
			if tc.wantFail == "" && s.Status != StatusSuccess || tc.wantFail != "" && !strings.Contains(s.FailureMessage, tc.wantFail) {
				t.Fatalf("status %s %q, want failure %q", s.Status, s.FailureMessage, tc.wantFail)
			}
			if len(detail) > 3*maxKeptOutput {
				t.Errorf("detailedoutput.json has %d bytes: stdout must be cut to %d", len(detail), maxKeptOutput)
			}
			if !strings.Contains(detail, "cut here; ibgitops keeps the first and last 512 KiB") {
				t.Errorf("detailedoutput.json does not say what was cut")
			}
			if st, err := os.Stat(filepath.Join(s.LogURL, "console.log")); err != nil || st.Size() < int64(tc.console) {
				t.Errorf("console.log must hold the whole stream (%d bytes): %v %v", tc.console, st, err)
			}
			chain, _ := os.ReadFile(filepath.Join(s.LogURL, "chaining.json"))
			if len(chain) > maxKeptOutput {
				t.Errorf("chaining.json has %d bytes", len(chain))
			}
			var v any
			if err := json.Unmarshal([]byte(detail), &v); err != nil {
				t.Errorf("detailedoutput.json is not JSON: %v", err)
			}
		})
	}
}

// TestDocumentsMustBeSmallRegularFiles: /dev/zero, a FIFO without writer,
// a folder and an oversized file are refused before reading, naming the
// file; before, the FIFO hung and /dev/zero was read until memory ran out.
func TestDocumentsMustBeSmallRegularFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "doc.fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	huge := filepath.Join(dir, "huge.yaml")
	if err := os.WriteFile(huge, bytes.Repeat([]byte("# padding\n"), toedoc.MaxDocumentSize/10+1), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"/dev/zero": "a character device, not a regular file",
		fifo:        "a FIFO (named pipe), not a regular file",
		dir:         "a folder, not a regular file",
		huge:        fmt.Sprintf("more than the %d ibgitops reads", toedoc.MaxDocumentSize),
	}
	for path, want := range cases {
		done := make(chan error, 1)
		go func() {
			_, err := Run(context.Background(), Options{Documents: []DocumentSpec{{Path: path}}, LogDirectory: t.TempDir()})
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
				t.Errorf("%s: got %v, want an error naming the file and saying %q", path, err, want)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: Run is still reading", path)
		}
		var opts Options
		if err := LoadConfig(path, &opts); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("--config %s: got %v, want %q", path, err, want)
		}
	}
}

// TestReadFileIsBounded: ReadFile holds the content in memory for
// chaining, so it refuses what a document must not read (a device, a FIFO)
// and a file over the chaining cap, naming it.
func TestReadFileIsBounded(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "f.fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	big := filepath.Join(dir, "big.txt")
	os.WriteFile(big, bytes.Repeat([]byte("x"), maxKeptOutput+1), 0o644)
	for path, want := range map[string]string{
		"/dev/zero": "a character device",
		fifo:        "a FIFO (named pipe)",
		big:         "print it with ExecuteBash",
	} {
		s, _ := runDoc(t, context.Background(), fmt.Sprintf("name: r\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Read\n        action: ReadFile\n        inputs:\n          - path: %s\n", path))
		if s.Status != StatusFailed || !strings.Contains(s.FailureMessage, want) || !strings.Contains(s.FailureMessage, path) {
			t.Errorf("ReadFile %s: got %q, want a failure naming it and saying %q", path, s.FailureMessage, want)
		}
	}
}
