package exitcodes

import (
	"errors"
	"fmt"
	"testing"
)

func TestOfAndMessage(t *testing.T) {
	plain := errors.New("no such folder")
	cases := []struct {
		name string
		err  error
		code int
		msg  string
	}{
		{"nil", nil, OK, ""},
		{"plain error cannot run", plain, Cannot, "no such folder"},
		{"coded", With(Findings, plain), Findings, "no such folder"},
		{"coded, already said", With(Findings, nil), Findings, ""},
		{"wrapped coded", fmt.Errorf("lint: %w", With(Reboot, nil)), Reboot, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Of(c.err); got != c.code {
				t.Errorf("Of = %d, want %d", got, c.code)
			}
			if got := Message(c.err); got != c.msg {
				t.Errorf("Message = %q, want %q", got, c.msg)
			}
		})
	}
	if !errors.Is(With(Cannot, plain), plain) {
		t.Error("With hides the wrapped error from errors.Is")
	}
}
