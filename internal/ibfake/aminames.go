package ibfake

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/ibgitops/ibgitops/recipes"
)

// EC2 requires AMI names unique per account and Region. An image's
// distribution names its AMIs from amiDistributionConfiguration.name; a
// name that is the same for every build is taken by the first build, and
// every later distribution into that Region fails with EC2's
// InvalidAMIName.Duplicate. Names with {{ imagebuilder:buildDate }} or
// buildVersion differ per build on the service (a build takes minutes);
// the fake, whose builds can finish within one millisecond, does not
// check those, so a fast test never fails on a name the service would
// have made unique. Names the service makes up (no name given) are
// unique too.

var reBuildVar = regexp.MustCompile(`\{\{\s*imagebuilder:(buildDate|buildVersion)\s*\}\}`)

// amiName fills a name template for one build.
func (s *Server) amiName(img *resource, template string) string {
	return reBuildVar.ReplaceAllStringFunc(template, func(m string) string {
		if strings.Contains(m, "buildDate") {
			return s.opts.Now().UTC().Format("2006-01-02T15-04-05.000Z")
		}
		return strings.ReplaceAll(img.fields["version"].(string), "/", "-")
	})
}

// reserveAMINames names the AMIs an image distributes, by Region, and
// takes the fixed names for it. It returns EC2's error for the first fixed
// name another image already took ("" when none).
func (s *Server) reserveAMINames(img *resource) string {
	st := img.image
	if img.fields["type"] != "AMI" {
		return ""
	}
	dc, _ := img.fields["distributionConfiguration"].(map[string]any)
	dists, _ := dc["distributions"].([]any)
	names := map[string]string{}
	var fixed []string
	for _, d := range dists {
		dm, _ := d.(map[string]any)
		region, _ := dm["region"].(string)
		ami, _ := dm["amiDistributionConfiguration"].(map[string]any)
		template, ok := ami["name"].(string)
		if !ok {
			continue
		}
		names[region] = s.amiName(img, template)
		if recipes.AMINameIsPerBuild(template) {
			continue
		}
		key := region + "\x00" + names[region]
		if owner, taken := s.amiNameOwner[key]; taken && owner != img.arn {
			return fmt.Sprintf("Distribution to %s failed: InvalidAMIName.Duplicate: AMI name %s is already in use by AMI %s (image %s). AMI names are unique per account and Region: add {{ imagebuilder:buildDate }} to amiDistributionConfiguration.name.",
				region, names[region], s.amiOfImage[owner+"\x00"+region], owner)
		}
		fixed = append(fixed, key)
	}
	for _, key := range fixed {
		s.amiNameOwner[key] = img.arn
	}
	st.amiNames = names
	return ""
}
