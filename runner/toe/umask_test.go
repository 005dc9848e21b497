//go:build unix

package toe

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestCreateHonoursUmask: CreateFile and CreateFolder without permissions
// get 0666/0777 minus the umask, and detailedoutput.json records that
// mode; given permissions are applied exactly whatever the umask. Before,
// the "default" 0666/0777 was applied with chmod, so a file created into
// /etc/sudoers.d was world-writable.
func TestCreateHonoursUmask(t *testing.T) {
	for _, tc := range []struct {
		umask            int
		file, folder     os.FileMode
		explicit, wanted string
	}{
		{0o022, 0o644, 0o755, "", ""},
		{0o027, 0o640, 0o750, "", ""},
		{0o077, 0o600, 0o700, "", ""},
		{0o002, 0o664, 0o775, "", ""},
		{0o000, 0o666, 0o777, "", ""},
		{0o077, 0o604, 0o705, "0604", "explicit"},
	} {
		t.Run(fmt.Sprintf("umask %04o %s", tc.umask, tc.wanted), func(t *testing.T) {
			old := syscall.Umask(tc.umask)
			defer syscall.Umask(old)
			dir := t.TempDir()
			filePerm, folderPerm := "", ""
			if tc.explicit != "" {
				filePerm = "\n            permissions: '" + tc.explicit + "'"
				folderPerm = "\n            permissions: '0705'"
			}
			doc := fmt.Sprintf("name: modes\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: File\n        action: CreateFile\n        inputs:\n          - path: %s/f\n            content: x%s\n      - name: Folder\n        action: CreateFolder\n        inputs:\n          - path: %s/d%s\n", dir, filePerm, dir, folderPerm)
			s, detail := runDoc(t, context.Background(), doc)
			if s.Status != StatusSuccess {
				t.Fatalf("%+v", s)
			}
			for path, want := range map[string]os.FileMode{dir + "/f": tc.file, dir + "/d": tc.folder} {
				st, err := os.Stat(path)
				if err != nil {
					t.Fatal(err)
				}
				if got := st.Mode().Perm(); got != want {
					t.Errorf("%s: mode %04o, want %04o", filepath.Base(path), got, want)
				}
				if rec := fmt.Sprintf(`\"permissions\":\"%04o\"`, want); !strings.Contains(detail, rec) {
					t.Errorf("detailedoutput.json does not record %s for %s", rec, filepath.Base(path))
				}
			}
		})
	}
}

// fixUmask sets the umask the golden files were written with (022) for
// the test, so that they do not depend on the machine's.
func fixUmask(t *testing.T) {
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })
}
