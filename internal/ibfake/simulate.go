package ibfake

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// The fake does not run AWSTOE, but it reads the component documents of
// the recipe being built so that tests can script a build: in an
// ExecuteBash or ExecutePowerShell step, a command `sleep N` makes the
// build (or test) take N more seconds, and `exit N` with N != 0 fails the
// image at that step, with the output of the step's `echo` commands in the
// message. Build and validate phases run in the build workflow's
// ApplyBuildComponents step, test phases in the test workflow's
// RunTestComponents step, as on the service.

// simFailure is the first failing step of a simulated build.
type simFailure struct {
	workflowStep string // ApplyBuildComponents | RunTestComponents
	message      string
}

// simulation is what the documents script for one image.
type simulation struct {
	hold    map[string]time.Duration // by image state
	failure *simFailure
}

type simDoc struct {
	Phases []struct {
		Name  string `yaml:"name"`
		Steps []struct {
			Name   string         `yaml:"name"`
			Action string         `yaml:"action"`
			Inputs map[string]any `yaml:"inputs"`
		} `yaml:"steps"`
	} `yaml:"phases"`
}

func (s *Server) simulate(recipe *resource) simulation {
	sim := simulation{hold: map[string]time.Duration{}}
	type comp struct {
		arn string
		doc simDoc
	}
	var comps []comp
	list, _ := recipe.fields["components"].([]any)
	for _, c := range list {
		ca, _ := c.(map[string]any)["componentArn"].(string)
		r, err := s.resolve(typeComponent, ca)
		if err != nil {
			continue // AWS-managed or shared: nothing to read
		}
		var doc simDoc
		data, _ := r.fields["data"].(string)
		if yaml.Unmarshal([]byte(data), &doc) != nil {
			continue
		}
		comps = append(comps, comp{r.arn, doc})
	}
	order := []struct{ phase, state, step string }{
		{"build", "BUILDING", "ApplyBuildComponents"},
		{"validate", "BUILDING", "ApplyBuildComponents"},
		{"test", "TESTING", "RunTestComponents"},
	}
	for _, o := range order {
		for _, c := range comps {
			for _, ph := range c.doc.Phases {
				if ph.Name != o.phase {
					continue
				}
				for _, st := range ph.Steps {
					if st.Action != "ExecuteBash" && st.Action != "ExecutePowerShell" {
						continue
					}
					cmds, _ := st.Inputs["commands"].([]any)
					var output []string
					for _, cmd := range cmds {
						line := strings.TrimSpace(fmt.Sprint(cmd))
						fields := strings.Fields(line)
						if len(fields) == 0 {
							continue
						}
						switch fields[0] {
						case "echo":
							output = append(output, strings.Trim(strings.TrimSpace(strings.TrimPrefix(line, "echo")), `"'`))
						case "sleep":
							if len(fields) == 2 {
								if secs, err := strconv.ParseFloat(fields[1], 64); err == nil {
									sim.hold[o.state] += time.Duration(secs * float64(time.Second))
								}
							}
						case "exit":
							if len(fields) == 2 {
								if code, err := strconv.Atoi(fields[1]); err == nil && code != 0 {
									msg := fmt.Sprintf("Component '%s' failed in phase '%s' at step '%s': %s exited with code %d.", c.arn, o.phase, st.Name, st.Action, code)
									if len(output) > 0 {
										msg += " Output: " + strings.Join(output, " | ")
									}
									sim.failure = &simFailure{workflowStep: o.step, message: msg}
									return sim
								}
							}
						}
					}
				}
			}
		}
	}
	return sim
}
