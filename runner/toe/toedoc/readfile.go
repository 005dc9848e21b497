package toedoc

import (
	"fmt"
	"io"
	"io/fs"

	"github.com/ibgitops/ibgitops/recipes"
)

// MaxDocumentSize bounds a document (local, S3 or ExecuteDocument) and a
// --config file: recipes.MaxFileSize, the cap lint reads with. Image
// Builder's inline `data` takes 16,000 characters, but a document given by
// S3 `uri` may be larger (the corpus has a published 44,039-character one),
// so the cap is lint's file cap, not 16,000 (docs/executor.md).
const MaxDocumentSize = recipes.MaxFileSize

// DocumentHint says what to do about a document over MaxDocumentSize.
const DocumentHint = "AWSTOE documents are small YAML files (Image Builder takes 16,000 characters inline); move large content into files the document downloads"

// ReadRegularFile reads a regular file of at most max bytes. Anything else
// is refused before a byte is read: a FIFO would block forever, /dev/zero
// or /dev/urandom would never end. The file is opened without blocking and
// checked on the open descriptor, so a path swapped for a FIFO after a
// stat cannot slip through.
// hint says what to do about a file over max.
func ReadRegularFile(path string, max int64, what, hint string) ([]byte, error) {
	f, err := openNoBlock(path)
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w (check the path)", what, path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", what, path, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s %s is %s, not a regular file, so ibgitops does not read it: pass the path of a regular file", what, path, fileKind(st.Mode()))
	}
	if st.Size() > max {
		return nil, fmt.Errorf("%s %s has %d bytes, more than the %d ibgitops reads: %s", what, path, st.Size(), max, hint)
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", what, path, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s %s grew past %d bytes while it was read: it must not change during the run", what, path, max)
	}
	return data, nil
}

// fileKind names a non-regular file's type for a message.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO (named pipe)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file"
}
