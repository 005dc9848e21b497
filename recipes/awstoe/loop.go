package awstoe

import (
	"iter"
	"strings"
)

// Count returns how many iterations the for loop runs: the inclusive range
// from Start to End by UpdateBy. It is 0 when UpdateBy is 0 or points away
// from End (Validate reports both).
func (f *ForLoop) Count() int {
	switch {
	case f.UpdateBy == 0:
		return 0
	case f.UpdateBy > 0 && f.Start <= f.End:
		return int((int64(f.End)-int64(f.Start))/int64(f.UpdateBy)) + 1
	case f.UpdateBy < 0 && f.Start >= f.End:
		return int((int64(f.Start)-int64(f.End))/int64(-f.UpdateBy)) + 1
	}
	return 0
}

// All yields (index, value) for every iteration, index from 0.
func (f *ForLoop) All() iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		n := f.Count()
		for i := 0; i < n; i++ {
			if !yield(i, f.Start+i*f.UpdateBy) {
				return
			}
		}
	}
}

// Items returns the iteration values of a forEach: each list item
// expanded, or for the delimited form the expanded list split on the
// delimiter. expand resolves `{{ }}` expressions (nil leaves them as is).
// An empty delimited list yields no iterations.
func (f *ForEach) Items(expand func(string) (string, error)) ([]string, error) {
	if expand == nil {
		expand = func(s string) (string, error) { return s, nil }
	}
	if f.Delimited {
		if len(f.List) == 0 {
			return nil, nil
		}
		s, err := expand(f.List[0])
		if err != nil {
			return nil, err
		}
		if s == "" {
			return nil, nil
		}
		d := f.Delimiter
		if d == "" {
			d = ","
		}
		return strings.Split(s, d), nil
	}
	out := make([]string, 0, len(f.List))
	for _, item := range f.List {
		s, err := expand(item)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}
