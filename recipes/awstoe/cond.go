package awstoe

// Host answers the file and OS questions of the file comparison operators
// (binaryExists, fileExists, folderExists, file*Equals). The executor
// implements it against the real machine; tests use a fake.
type Host interface {
	BinaryExists(name string) bool
	FileExists(path string) bool
	FolderExists(path string) bool
	// FileHash returns the lower-case hex digest of the file at path with
	// algo "MD5", "SHA1", "SHA256" or "SHA512".
	FileHash(path, algo string) (string, error)
}

// EvalCondition evaluates c with AWSTOE's semantics. Expressions in
// Baseline, Value and Path are expanded with r first; host answers file
// and binary checks (it may be nil when the tree has none).
func EvalCondition(c *Condition, r Resolver, host Host) (bool, error) {
	return evalCondition(c, r, host)
}
