package aws

import "testing"

// TestExitCodeIn: a workflow step message that states an exit code gives
// it; one that states none gives 0 (unknown), never a guess.
func TestExitCodeIn(t *testing.T) {
	cases := map[string]int{
		"Step ApplyBuildComponents failed: the command exited with code 1.":                                  1,
		"Component 'arn:...:component/web/1.0.0/1' failed in phase 'build' at step 'Install': exit status 3": 3,
		"ExecuteBash exit code 127":                             127,
		"the command exited with code 0":                        0,
		"Step DistributeImage failed: InvalidAMIName.Duplicate": 0,
		"": 0,
	}
	for msg, want := range cases {
		if got := exitCodeIn(msg); got != want {
			t.Errorf("exitCodeIn(%q) = %d, want %d", msg, got, want)
		}
	}
}
