package awstoe

import (
	"fmt"
	"strings"
)

// Ref is one `{{ ... }}` reference found in a string.
type Ref struct {
	// Start and End are byte offsets of the whole `{{ ... }}` in the string
	// (s[Start:End] is the reference including braces).
	Start, End int
	// Expr is the trimmed text between the braces, e.g. "build.Step.outputs.stdout".
	Expr string
}

// Resolver resolves the expression text of a reference (Ref.Expr) to its
// value. ok is false when the reference is unknown.
type Resolver interface {
	Lookup(ref string) (value string, ok bool)
}

// LookupFunc adapts a function to Resolver.
type LookupFunc func(ref string) (string, bool)

// Lookup calls f.
func (f LookupFunc) Lookup(ref string) (string, bool) { return f(ref) }

// MapResolver resolves references from a map.
type MapResolver map[string]string

// Lookup returns m[ref].
func (m MapResolver) Lookup(ref string) (string, bool) {
	v, ok := m[ref]
	return v, ok
}

// FindRefs returns every `{{ ... }}` reference in s, in order. Whitespace
// inside the braces is trimmed, as AWSTOE does. An unterminated `{{` is
// not a reference.
func FindRefs(s string) []Ref {
	var refs []Ref
	i := 0
	for {
		open := strings.Index(s[i:], "{{")
		if open < 0 {
			return refs
		}
		open += i
		closing := strings.Index(s[open+2:], "}}")
		if closing < 0 {
			return refs
		}
		end := open + 2 + closing + 2
		refs = append(refs, Ref{Start: open, End: end, Expr: strings.TrimSpace(s[open+2 : end-2])})
		i = end
	}
}

// UnresolvedError lists the references Expand could not resolve.
type UnresolvedError struct {
	Refs []string
}

func (e *UnresolvedError) Error() string {
	return fmt.Sprintf("unresolved reference(s) %s: declare them as parameters or constants, or fix the step/phase name", "{{ "+strings.Join(e.Refs, " }}, {{ ")+" }}")
}

// Expand replaces every resolvable reference in s with its value.
// Unresolvable references are left literally in the result and reported
// in an *UnresolvedError, so the caller decides whether that is fatal
// (AWSTOE leaves `loop.*` outside a loop unreplaced without error).
func Expand(s string, r Resolver) (string, error) {
	refs := FindRefs(s)
	if len(refs) == 0 {
		return s, nil
	}
	var b strings.Builder
	var missing []string
	last := 0
	for _, ref := range refs {
		b.WriteString(s[last:ref.Start])
		if v, ok := r.Lookup(ref.Expr); ok {
			b.WriteString(v)
		} else {
			b.WriteString(s[ref.Start:ref.End])
			missing = append(missing, ref.Expr)
		}
		last = ref.End
	}
	b.WriteString(s[last:])
	if len(missing) > 0 {
		return b.String(), &UnresolvedError{Refs: missing}
	}
	return b.String(), nil
}
