// Package lazyre is a regular expression compiled on first use. A
// package-level regexp.MustCompile runs at program start for every
// command, including `ibgitops version` in a pre-commit hook; these
// compile only when a command matches with them.
package lazyre

import (
	"regexp"
	"sync"
)

// Regexp compiles its pattern on first use. A bad pattern panics there, as
// regexp.MustCompile would at start; CompileAll (run by the CLI's tests,
// which link every package) finds it before a user does.
type Regexp struct {
	pattern string
	once    sync.Once
	re      *regexp.Regexp
}

var (
	mu  sync.Mutex
	all []*Regexp
)

// New returns a Regexp for pattern, not yet compiled.
func New(pattern string) *Regexp {
	r := &Regexp{pattern: pattern}
	mu.Lock()
	all = append(all, r)
	mu.Unlock()
	return r
}

// CompileAll compiles every Regexp declared so far and returns the
// patterns that do not compile, with why.
func CompileAll() []error {
	mu.Lock()
	defer mu.Unlock()
	var errs []error
	for _, r := range all {
		if _, err := regexp.Compile(r.pattern); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// Re is the compiled expression.
func (r *Regexp) Re() *regexp.Regexp {
	r.once.Do(func() { r.re = regexp.MustCompile(r.pattern) })
	return r.re
}

func (r *Regexp) String() string                       { return r.pattern }
func (r *Regexp) MatchString(s string) bool            { return r.Re().MatchString(s) }
func (r *Regexp) Match(b []byte) bool                  { return r.Re().Match(b) }
func (r *Regexp) FindString(s string) string           { return r.Re().FindString(s) }
func (r *Regexp) FindStringIndex(s string) []int       { return r.Re().FindStringIndex(s) }
func (r *Regexp) FindStringSubmatch(s string) []string { return r.Re().FindStringSubmatch(s) }
func (r *Regexp) FindStringSubmatchIndex(s string) []int {
	return r.Re().FindStringSubmatchIndex(s)
}
func (r *Regexp) FindAllStringSubmatch(s string, n int) [][]string {
	return r.Re().FindAllStringSubmatch(s, n)
}
func (r *Regexp) FindAllStringIndex(s string, n int) [][]int {
	return r.Re().FindAllStringIndex(s, n)
}
func (r *Regexp) ReplaceAllString(src, repl string) string { return r.Re().ReplaceAllString(src, repl) }
func (r *Regexp) ReplaceAllLiteralString(src, repl string) string {
	return r.Re().ReplaceAllLiteralString(src, repl)
}
func (r *Regexp) ReplaceAllStringFunc(src string, repl func(string) string) string {
	return r.Re().ReplaceAllStringFunc(src, repl)
}
func (r *Regexp) ReplaceAll(src, repl []byte) []byte { return r.Re().ReplaceAll(src, repl) }
func (r *Regexp) SubexpNames() []string              { return r.Re().SubexpNames() }
func (r *Regexp) NumSubexp() int                     { return r.Re().NumSubexp() }
