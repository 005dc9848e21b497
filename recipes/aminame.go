package recipes

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ibgitops/ibgitops/internal/lazyre"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/recipes/raw"
)

// rePerBuild matches the AMI name variables Image Builder fills per build
// ({{imagebuilder:buildDate}}, {{imagebuilder:buildVersion}}; spaces
// inside the braces are accepted, as the service accepts them).
var rePerBuild = lazyre.New(`\{\{\s*imagebuilder:(buildDate|buildVersion)\s*\}\}`)

// AMINameIsPerBuild reports whether an amiDistributionConfiguration.name
// changes from one build to the next. EC2 requires AMI names unique per
// account and Region, so a fixed name distributes once and fails every
// later build of the pipeline at its distribution step.
func AMINameIsPerBuild(name string) bool { return rePerBuild.MatchString(name) }

// checkAMINames finds distributions whose AMI name is the same for every
// build: an error when a scheduled pipeline uses the distribution (it
// builds again by itself and fails), a warning otherwise (the next
// version's build fails).
func (l *loader) checkAMINames() {
	users := map[string][]*Pipeline{}
	for _, name := range sortedKeys(l.repo.Pipelines) {
		p := l.repo.Pipelines[name]
		if p.DistributionConfiguration != "" {
			users[p.DistributionConfiguration] = append(users[p.DistributionConfiguration], p)
		}
	}
	for _, name := range sortedKeys(l.repo.Distributions) {
		d := l.repo.Distributions[name]
		for _, entry := range l.dists[name].Distributions.V {
			if !entry.Set {
				continue
			}
			ami := raw.Get(entry.V.AMIDistributionConfiguration).Name
			if !ami.Set || AMINameIsPerBuild(ami.V) {
				continue
			}
			amiName, pos, region := ami.V, ami.Pos, entry.V.Region.V
			var scheduled []string
			for _, p := range users[name] {
				if p.Schedule != nil && p.Schedule.ScheduleExpression != "" && p.Status != "DISABLED" {
					scheduled = append(scheduled, fmt.Sprintf("%s (%s)", p.Name, p.Schedule.ScheduleExpression))
				}
			}
			sort.Strings(scheduled)
			fix := fmt.Sprintf("add {{ imagebuilder:buildDate }} to the name, e.g. %q", strings.TrimSpace(amiName)+"-{{ imagebuilder:buildDate }}")
			if len(scheduled) > 0 {
				l.add(RuleAMIName, diag.Error, d.File, pos, "AMI name %q (region %s) is the same for every build, and EC2 requires AMI names unique per account and Region: scheduled pipeline %s builds again and fails at distribution every time after the first; %s",
					amiName, region, strings.Join(scheduled, ", "), fix)
				continue
			}
			l.add(RuleAMIName, diag.Warning, d.File, pos, "AMI name %q (region %s) is the same for every build, and EC2 requires AMI names unique per account and Region: the first build takes the name and every later build (a new version, a rebuild) fails at distribution; %s",
				amiName, region, fix)
		}
	}
}
