package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ibgitops/ibgitops/runner/backend"
)

// Record is the store's entry for one built (or failed) image. The JSON
// names are a public contract: `ibgitops images --format json` prints them.
type Record struct {
	Recipe      string               `json:"recipe"`
	Kind        string               `json:"kind"`
	Version     string               `json:"version"`
	BuildNumber int                  `json:"buildNumber"`
	Status      backend.Status       `json:"status"`
	Commit      string               `json:"commit,omitempty"`
	Repository  string               `json:"repository,omitempty"`
	Tool        string               `json:"tool,omitempty"`
	ParentImage string               `json:"parentImage"`
	ParentID    string               `json:"parentImageId,omitempty"`
	Components  []RecordComponent    `json:"components"`
	ContentHash string               `json:"contentHash"`
	Image       string               `json:"image,omitempty"`   // tag <recipe>:<version>
	ImageID     string               `json:"imageId,omitempty"` // engine image id
	Outputs     []string             `json:"outputs,omitempty"`
	Steps       []backend.StepResult `json:"steps,omitempty"`
	Tests       []backend.StepResult `json:"tests,omitempty"`
	Warnings    []string             `json:"warnings,omitempty"`
	Message     string               `json:"message,omitempty"`
	Logs        string               `json:"logs,omitempty"` // folder with console.log/detailedoutput.json per component
	Started     time.Time            `json:"started"`
	Finished    time.Time            `json:"finished"`
	Timings     map[string]float64   `json:"timings,omitempty"` // stage -> seconds
	// RunID, Host and PID identify the process building a running record,
	// so a later run can tell a build whose process died.
	RunID string `json:"runId,omitempty"`
	Host  string `json:"host,omitempty"`
	PID   int    `json:"pid,omitempty"`
	// File is where the record lives; not stored.
	File string `json:"-"`
}

// RecordComponent is one component of a built image.
type RecordComponent struct {
	Name       string              `json:"name,omitempty"`
	ARN        string              `json:"arn,omitempty"`
	Version    string              `json:"version,omitempty"`
	StandIn    string              `json:"standIn,omitempty"` // local document used for an ARN
	Skipped    bool                `json:"skipped,omitempty"`
	Parameters map[string][]string `json:"parameters,omitempty"`
}

// Store is the local image store: `.ibgitops/` by default. Layout:
//
//	images/<recipe>/<version>-<build>.json   one record per build
//	builds/<recipe>/<version>-<build>/        work folder: documents, logs
//	archives/<recipe>-<version>.oci.tar       exported OCI archives
type Store struct {
	Dir string
	mu  sync.Mutex // serialises build-number allocation within a process
}

// OpenStore returns the store at dir, creating it.
func OpenStore(dir string) (*Store, error) {
	if err := os.MkdirAll(filepath.Join(dir, "images"), 0o755); err != nil {
		return nil, fmt.Errorf("create the local store %s: %w (set local.store in ibgitops.yaml to a writable folder)", dir, err)
	}
	// The store holds build outputs, not sources: keep it out of git.
	ignore := filepath.Join(dir, ".gitignore")
	if _, err := os.Stat(ignore); errors.Is(err, fs.ErrNotExist) {
		_ = writeAtomic(ignore, []byte("*\n"))
	}
	return &Store{Dir: dir}, nil
}

// Records lists every record, newest first (by start time).
func (s *Store) Records() ([]*Record, error) {
	var out []*Record
	root := filepath.Join(s.Dir, "images")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".json") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var r Record
		if err := json.Unmarshal(data, &r); err != nil {
			return fmt.Errorf("read store record %s: %w (delete the file to forget that build)", p, err)
		}
		r.File = p
		out = append(out, &r)
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Started.Equal(out[j].Started) {
			return out[i].Started.After(out[j].Started)
		}
		return out[i].BuildNumber > out[j].BuildNumber
	})
	return out, err
}

// Find returns the newest succeeded record of recipe with that content hash
// (and version, unless version is empty).
func (s *Store) Find(recipe, version, hash string) (*Record, error) {
	recs, err := s.Records()
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		if r.Recipe == recipe && r.ContentHash == hash && r.Status == backend.StatusSucceeded && (version == "" || r.Version == version) {
			return r, nil
		}
	}
	return nil, nil
}

// Allocate reserves the next build number of recipe version by writing a
// placeholder record, so that concurrent builds never share a number.
func (s *Store) Allocate(rec *Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	dir := filepath.Join(s.Dir, "images", rec.Recipe)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for n := 1; ; n++ {
		p := filepath.Join(dir, fmt.Sprintf("%s-%d.json", rec.Version, n))
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("allocate a build number in %s: %w", dir, err)
		}
		f.Close()
		rec.BuildNumber = n
		rec.File = p
		return s.Save(rec)
	}
}

// Lock serialises builds of one recipe across processes sharing the store
// (two CI jobs, two terminals): it waits, polling so ctx can end the wait,
// until no other process holds the recipe's lock file. waiting is called
// once if it has to wait.
func (s *Store) Lock(ctx context.Context, recipe string, waiting func()) (unlock func(), err error) {
	dir := filepath.Join(s.Dir, "locks")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, recipe+".lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s in the store: %w", recipe, err)
	}
	told := false
	for {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s in the store: %w", recipe, err)
		}
		if ok {
			return func() { f.Close() }, nil // closing releases the lock
		}
		if !told && waiting != nil {
			waiting()
			told = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// RunDir is the work folder of a record's build.
func (s *Store) RunDir(rec *Record) string {
	return filepath.Join(s.Dir, "builds", rec.Recipe, fmt.Sprintf("%s-%d", rec.Version, rec.BuildNumber))
}

// ArchivePath is where an exported OCI archive goes.
func (s *Store) ArchivePath(recipe, version string) string {
	return filepath.Join(s.Dir, "archives", recipe+"-"+version+".oci.tar")
}

// Save writes the record atomically (temp file + rename).
func (s *Store) Save(rec *Record) error {
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(rec.File, append(data, '\n'))
}

// Remove deletes a record (used when a build was cancelled: a cancelled
// build leaves no record behind).
func (s *Store) Remove(rec *Record) error {
	if rec.File == "" {
		return nil
	}
	err := os.Remove(rec.File)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
