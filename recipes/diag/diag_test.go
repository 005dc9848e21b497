package diag

import "testing"

func TestSummaryCountsInTheRightNumber(t *testing.T) {
	for _, tc := range []struct {
		e, w int
		want string
	}{
		{0, 0, "0 errors, 0 warnings"},
		{1, 1, "1 error, 1 warning"},
		{2, 1, "2 errors, 1 warning"},
	} {
		if got := Summary(tc.e, tc.w); got != tc.want {
			t.Errorf("Summary(%d, %d) = %q, want %q", tc.e, tc.w, got, tc.want)
		}
	}
	if got := Counted(1, "file"); got != "1 file" {
		t.Errorf("Counted(1, file) = %q", got)
	}
}
