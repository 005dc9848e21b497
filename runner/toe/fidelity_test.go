package toe

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestNonNumericValueComparesFalse: a number comparison whose value is not
// a number is valid and false ("If the conversion is not possible, the
// comparison returns false", AWS's comparison operators page), in an if
// (the step is skipped, the else branch runs) and in an Assert (it fails).
// Before, validation refused the whole document.
func TestNonNumericValueComparesFalse(t *testing.T) {
	for _, value := range []string{"a10", "one", "1,5", "1e5", "0x10", " 1"} {
		for _, op := range []string{"numberEquals", "numberLessThan", "numberGreaterThanEquals"} {
			doc := fmt.Sprintf(`name: n
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: If
        action: ExecuteBash
        if:
          %s: 100
          value: '%s'
        inputs:
          commands: [echo ran]
      - name: Assert
        action: Assert
        onFailure: Continue
        inputs:
          %s: 100
          value: '%s'
`, op, value, op, value)
			s, detail := runDoc(t, context.Background(), doc)
			if s.Status != StatusFailed || s.FailedStepCount != 1 || !strings.Contains(detail, `"status": "skipped"`) || !strings.Contains(s.FailureMessage, "assertion failed") {
				t.Errorf("%s value %q: want the if skipped and the Assert failed, got %+v", op, value, s)
			}
		}
	}
}
