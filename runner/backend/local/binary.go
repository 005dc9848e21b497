package local

import (
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// staticBinary returns the ibgitops executable to run inside containers:
// path (from Options.Binary or IBGITOPS_BINARY) or the running executable.
// It must be a static linux ELF of the host's architecture because the
// parent image may have no C library.
func staticBinary(path string) (string, error) {
	from := "the running ibgitops"
	if path == "" {
		if env := os.Getenv("IBGITOPS_BINARY"); env != "" {
			path, from = env, "IBGITOPS_BINARY"
		}
	} else {
		from = "the configured ibgitops binary"
	}
	if path == "" {
		exe, err := os.Executable()
		if err != nil {
			return "", fmt.Errorf("find the running ibgitops executable: %w (set IBGITOPS_BINARY to a static linux build: `make build` writes bin/ibgitops-full)", err)
		}
		path = exe
	}
	if p, err := filepath.EvalSymlinks(path); err == nil {
		path = p
	}
	const fix = "the local backend runs ibgitops inside the build containers and needs a static linux build of ibgitops-full: run `make build` (CGO_ENABLED=0) and use bin/ibgitops-full, or set IBGITOPS_BINARY to such a binary"
	f, err := elf.Open(path)
	if err != nil {
		return "", fmt.Errorf("%s (%s) is not a linux executable (%v): %s", from, path, err, fix)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return "", fmt.Errorf("%s (%s) is dynamically linked: %s", from, path, fix)
		}
	}
	want := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64, "386": elf.EM_386, "riscv64": elf.EM_RISCV, "ppc64le": elf.EM_PPC64, "s390x": elf.EM_S390}
	if m, ok := want[runtime.GOARCH]; ok && f.Machine != m {
		return "", fmt.Errorf("%s (%s) is built for %s, the containers run %s: %s", from, path, f.Machine, runtime.GOARCH, fix)
	}
	return path, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// lastLines returns the last n non-empty lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	var keep []string
	for i := len(lines) - 1; i >= 0 && len(keep) < n; i-- {
		if strings.TrimSpace(lines[i]) != "" {
			keep = append(keep, lines[i])
		}
	}
	for i, j := 0, len(keep)-1; i < j; i, j = i+1, j-1 {
		keep[i], keep[j] = keep[j], keep[i]
	}
	return strings.Join(keep, "\n")
}

func readFileTrim(path string) (string, error) {
	data, err := os.ReadFile(path)
	return strings.TrimSpace(string(data)), err
}
