package lazyre

import "testing"

func TestLazy(t *testing.T) {
	r := New(`^a(b+)$`)
	if r.re != nil {
		t.Fatal("compiled before first use")
	}
	if m := r.FindStringSubmatch("abb"); len(m) != 2 || m[1] != "bb" {
		t.Errorf("FindStringSubmatch = %q", m)
	}
	if r.MatchString("ac") || !r.MatchString("ab") {
		t.Error("MatchString wrong")
	}
	bad := New(`(`)
	errs := CompileAll()
	if len(errs) != 1 {
		t.Errorf("CompileAll = %v, want the one bad pattern", errs)
	}
	defer func() {
		if recover() == nil {
			t.Error("a bad pattern did not panic at first use")
		}
	}()
	bad.MatchString("x")
}
