package ibfake

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// What the service knows before an account creates anything: AWS-managed
// parent images and components (owner "aws" in their ARNs, listed with
// owner=Amazon), the AMIs those images point at, and the public SSM
// parameters that name them. A recipe may build only on a parent the
// fake knows: one of these, an AMI or image this account built here, or
// one registered with Options.AMIs / Options.SSMParameters. The names are
// the service's; the versions and AMI ids are made up (stable per Region).

// managedOwner is the owner segment of AWS-managed ARNs.
const managedOwner = "aws"

// managedImages are AWS-managed parent images (their version is one
// plausible release; recipes select them with x.x.x).
var managedImages = []struct{ name, version, platform, osVersion string }{
	{"amazon-linux-2023-x86", "2025.11.18", "Linux", "Amazon Linux 2023"},
	{"amazon-linux-2023-arm64", "2025.11.18", "Linux", "Amazon Linux 2023"},
	{"amazon-linux-2-x86", "2025.11.12", "Linux", "Amazon Linux 2"},
	{"ubuntu-server-22-lts-x86", "2025.11.6", "Linux", "Ubuntu 22"},
	{"ubuntu-server-24-lts-x86", "2025.11.6", "Linux", "Ubuntu 24"},
	{"red-hat-enterprise-linux-9-x86", "2025.11.4", "Linux", "Red Hat Enterprise Linux 9"},
	{"windows-server-2022-english-full-base-x86", "2025.11.13", "Windows", "Microsoft Windows Server 2022"},
}

// managedComponents are AWS-managed components.
var managedComponents = []struct{ name, version, platform, typ string }{
	{"update-linux", "1.0.2", "Linux", "BUILD"},
	{"update-windows", "1.0.1", "Windows", "BUILD"},
	{"aws-cli-version-2-linux", "1.0.4", "Linux", "BUILD"},
	{"amazon-cloudwatch-agent-linux", "1.0.1", "Linux", "BUILD"},
	{"python-3-linux", "1.0.2", "Linux", "BUILD"},
	{"docker-ce-linux", "1.0.0", "Linux", "BUILD"},
	{"reboot-linux", "1.0.1", "Linux", "BUILD"},
	{"reboot-test-linux", "1.0.0", "Linux", "TEST"},
	{"simple-boot-test-linux", "1.0.0", "Linux", "TEST"},
	{"inspector-test-linux", "1.0.2", "Linux", "TEST"},
}

// managedParameters are public SSM parameters and the managed image whose
// AMI they hold.
var managedParameters = map[string]string{
	"/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64":              "amazon-linux-2023-x86",
	"/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64":               "amazon-linux-2023-arm64",
	"/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2":                      "amazon-linux-2-x86",
	"/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id": "ubuntu-server-22-lts-x86",
	"/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id": "ubuntu-server-24-lts-x86",
	"/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base":              "windows-server-2022-english-full-base-x86",
	"/aws/service/ami-amazon-linux-latest/al2023-ami-minimal-kernel-default-x86_64":      "amazon-linux-2023-x86",
	"/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp3/ami-id": "ubuntu-server-22-lts-x86",
}

// managedAMI is the made-up, stable AMI id of a managed image in a Region.
func managedAMI(name, region string) string {
	sum := sha256.Sum256([]byte(name + "\x00" + region))
	return "ami-" + hex.EncodeToString(sum[:])[:17]
}

// managedComponentDoc is the stand-in document of a managed component: the
// service does not publish their documents through the API to this fake.
func managedComponentDoc(name, typ string) string {
	phase := "build"
	if typ == "TEST" {
		phase = "test"
	}
	return fmt.Sprintf("name: %s\nschemaVersion: 1.0\nphases:\n  - name: %s\n    steps:\n      - name: Run\n        action: ExecuteBash\n        inputs:\n          commands: [\"echo %s\"]\n", name, phase, name)
}

// seedManaged stores the managed images and components and indexes the
// AMIs and SSM parameters a recipe may build on.
func (s *Server) seedManaged() {
	region := s.opts.Region
	amiOf := map[string]string{}
	for _, im := range managedImages {
		ver, _ := parseVersion(im.version)
		r := &resource{typ: typeImage, owner: managedOwner, name: im.name, version: ver, build: 1, created: s.opts.Now(),
			arn: s.arnOf(managedOwner, typeImage, im.name, im.version, "1")}
		ami := managedAMI(im.name, region)
		amiOf[im.name] = ami
		r.fields = map[string]any{
			"name": im.name, "type": "AMI", "version": im.version + "/1", "platform": im.platform, "osVersion": im.osVersion,
			"owner": "Amazon", "dateCreated": s.now(), "buildType": "SCHEDULED", "imageSource": "AMAZON_MANAGED",
			"state":           map[string]any{"status": "AVAILABLE"},
			"outputResources": map[string]any{"amis": []any{map[string]any{"region": region, "image": ami, "name": im.name + " " + im.version, "accountId": "aws"}}},
		}
		s.store(r)
		s.amis[ami] = true
	}
	for _, c := range managedComponents {
		ver, _ := parseVersion(c.version)
		r := &resource{typ: typeComponent, owner: managedOwner, name: c.name, version: ver, build: 1, created: s.opts.Now(),
			arn: s.arnOf(managedOwner, typeComponent, c.name, c.version, "1")}
		r.fields = map[string]any{
			"name": c.name, "version": c.version, "platform": c.platform, "type": c.typ, "owner": "Amazon",
			"data": managedComponentDoc(c.name, c.typ), "encrypted": true, "dateCreated": s.now(),
			"description": "AWS-managed component (a stand-in document in the fake)",
			"state":       map[string]any{"status": "ACTIVE"},
		}
		s.store(r)
	}
	for param, image := range managedParameters {
		s.ssm[param] = amiOf[image]
	}
	for _, ami := range s.opts.AMIs {
		s.amis[ami] = true
	}
	for param, ami := range s.opts.SSMParameters {
		s.ssm[param] = ami
	}
}

// checkParent refuses a recipe parent the service would not find: an AMI
// id, image ARN or ssm: parameter this account cannot see, or an image of
// this account that was never built. A container recipe may also name a
// registry image (amazonlinux:2023), which the fake cannot check.
func (s *Server) checkParent(typ, parent string) *apiError {
	bad := func(format string, args ...any) *apiError {
		return errorf("InvalidParameterValueException", "The value supplied for parameter 'parentImage' is not valid. "+format, args...)
	}
	switch {
	case strings.HasPrefix(parent, "arn:"):
		if err := checkARNVersion(parent); err != nil {
			return errorf(err.Code, "The value supplied for parameter 'parentImage' is not valid. %s", err.Message)
		}
		p, ok := parseARN(parent)
		if !ok || p.typ != typeImage {
			return bad("'%s' is not an Image Builder image ARN (arn:aws:imagebuilder:<region>:<owner>:image/<name>/<version>).", parent)
		}
		// The newest AVAILABLE build is the parent; builds in any other
		// state do not count.
		if _, err := s.resolveWhere(typeImage, parent, func(r *resource) bool { return s.imageStatus(r) == "AVAILABLE" }); err == nil {
			return nil
		}
		if img, err := s.resolve(typeImage, parent); err == nil {
			return bad("The image '%s' is %s: a parent image must be AVAILABLE.", img.arn, s.imageStatus(img))
		}
		if p.owner == s.opts.Account {
			return bad("The image '%s' does not exist: no image of that recipe version was built in this account and Region; build it first.", parent)
		}
		return bad("The image '%s' does not exist or is not shared with account %s.", parent, s.opts.Account)
	case strings.HasPrefix(parent, "ami-"):
		if typ == typeContainerRecipe || !s.amis[parent] {
			return bad("The AMI '%s' does not exist in %s or is not shared with account %s.", parent, s.opts.Region, s.opts.Account)
		}
	case strings.HasPrefix(parent, "ssm:"):
		name := strings.TrimPrefix(parent, "ssm:")
		if i := strings.Index(name, ":parameter/"); strings.HasPrefix(name, "arn:") && i >= 0 {
			name = name[i+len(":parameter"):]
		}
		if _, ok := s.ssm[name]; !ok || typ == typeContainerRecipe {
			return bad("The SSM parameter '%s' does not exist in %s or does not hold an AMI id.", name, s.opts.Region)
		}
	default:
		if typ == typeImageRecipe {
			return bad("'%s' is not an AMI id, an image ARN or an ssm: parameter.", parent)
		}
	}
	return nil
}
