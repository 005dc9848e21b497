package aws

import (
	"os"
	"reflect"
	"regexp"
	"testing"
)

// TestCLICheckCoversAPI: scripts/check-aws-cli.sh drives the fake with the
// AWS CLI through every operation the backend calls. An operation added
// to API (or STSAPI) without a step in the script fails here, so the
// real-client check keeps covering what ibgitops uses.
func TestCLICheckCoversAPI(t *testing.T) {
	script, err := os.ReadFile("../../../scripts/check-aws-cli.sh")
	if err != nil {
		t.Fatal(err)
	}
	steps := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^step (\w+) `).FindAllStringSubmatch(string(script), -1) {
		steps[m[1]] = true
	}
	for _, iface := range []reflect.Type{reflect.TypeFor[API](), reflect.TypeFor[STSAPI]()} {
		for i := range iface.NumMethod() {
			if op := iface.Method(i).Name; !steps[op] {
				t.Errorf("%s.%s has no step in scripts/check-aws-cli.sh: add one", iface.Name(), op)
			}
		}
	}
}
