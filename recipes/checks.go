package recipes

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ibgitops/ibgitops/internal/lazyre"
)

// MaxVersionPart is the largest value of a version part (2^30-1).
const MaxVersionPart = 1073741823

// checkVersion validates major.minor.patch; wildcards (`x`) only when
// allowed and only right-aligned (every part right of the first x is x).
func checkVersion(v string, wildcards bool) (rule, msg string) {
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return RuleVersionFormat, fmt.Sprintf("version %q must have three parts major.minor.patch, e.g. 1.0.0", v)
	}
	seenX := false
	for _, p := range parts {
		if p == "x" {
			if !wildcards {
				return RuleVersionFormat, fmt.Sprintf("version %q: wildcards are not allowed here; write a concrete version such as 1.0.0", v)
			}
			seenX = true
			continue
		}
		if seenX {
			return RuleVersionFormat, fmt.Sprintf("version %q: every part right of the first x must be x (1.x.x, 1.2.x), e.g. %s", v, rightAlign(parts))
		}
		if p == "" || strings.TrimLeft(p, "0123456789") != "" {
			return RuleVersionFormat, fmt.Sprintf("version %q: part %q is not a number; write major.minor.patch, e.g. 1.0.0", v, p)
		}
		n, err := strconv.ParseUint(p, 10, 64)
		if err != nil || n > MaxVersionPart {
			return RuleVersionFormat, fmt.Sprintf("version %q: part %s is over the maximum 1073741823; use a smaller number", v, p)
		}
	}
	for _, p := range parts {
		if len(p) > 1 && p[0] == '0' {
			// Semantic versioning forbids leading zeros: 01.02.03 and
			// 1.2.3 would be two spellings of one version.
			return RuleVersionFormat, fmt.Sprintf("version %q: part %q has a leading zero, which semantic versions do not allow; write %s", v, p, withoutLeadingZeros(parts))
		}
	}
	return "", ""
}

func withoutLeadingZeros(parts []string) string {
	out := make([]string, len(parts))
	for i, p := range parts {
		if t := strings.TrimLeft(p, "0"); t != "" || p == "" {
			out[i] = t
		} else {
			out[i] = "0"
		}
	}
	return strings.Join(out, ".")
}

func rightAlign(parts []string) string {
	out := make([]string, len(parts))
	x := false
	for i, p := range parts {
		if p == "x" {
			x = true
		}
		if x {
			out[i] = "x"
		} else {
			out[i] = p
		}
	}
	return strings.Join(out, ".")
}

var (
	reImageBuilderARN = lazyre.New(`^arn:(aws[a-z-]*):imagebuilder:([a-z0-9-]+):([0-9]{12}|aws(?:-[a-z-]+)?):([a-z-]+(?:/(?:build|test|distribution))?)/([a-z0-9-_]+)(?:/([^/]+)(?:/([0-9]+))?)?$`)
	reAMI             = lazyre.New(`^ami-[0-9a-f]{8}(?:[0-9a-f]{9})?$`)
	reMarketplace     = lazyre.New(`^prod-[a-z0-9]+$`)
)

// checkIBARN validates an Image Builder ARN of resource type typ that
// must carry a version (wildcards right-aligned) and may carry a build.
func checkIBARN(v, typ, example string) (rule, msg string) {
	m := reImageBuilderARN.FindStringSubmatch(v)
	if m == nil || m[4] != typ {
		return RuleARNFormat, fmt.Sprintf("%q is not a %s ARN; write %s", v, typ, example)
	}
	if m[6] == "" {
		return RuleARNFormat, fmt.Sprintf("%q has no version; append /x.x.x for the newest or a version such as /1.0.0", v)
	}
	if r, msg := checkVersion(m[6], true); r != "" {
		return r, msg
	}
	if m[7] != "" && strings.Contains(m[6], "x") {
		return RuleARNFormat, fmt.Sprintf("%q: a build number needs a concrete version; drop /%s or write the version out", v, m[7])
	}
	return "", ""
}

func checkComponentARN(v string) (string, string) {
	return checkIBARN(v, "component", "arn:aws:imagebuilder:<region>:aws:component/<name>/x.x.x")
}

func checkWorkflowARN(v string) (string, string) {
	m := reImageBuilderARN.FindStringSubmatch(v)
	if m == nil || !strings.HasPrefix(m[4], "workflow/") {
		return RuleARNFormat, fmt.Sprintf("%q is not a workflow ARN; write arn:aws:imagebuilder:<region>:aws:workflow/build/<name>/x.x.x", v)
	}
	return checkIBARN(v, m[4], "")
}

// checkParentImage validates an image recipe's parentImage (everything
// except the recipe: form, which is a reference checked later).
func checkParentImage(v string, container bool) (rule, msg string) {
	switch {
	case strings.HasPrefix(v, "recipe:"):
		return "", ""
	case strings.HasPrefix(v, "arn:"):
		return checkIBARN(v, "image", "arn:aws:imagebuilder:<region>:aws:image/<name>/x.x.x")
	case strings.HasPrefix(v, "ssm:"):
		if len(v) == len("ssm:") {
			return RuleParentImage, "parentImage ssm: needs a parameter name, e.g. ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
		}
		return "", ""
	case strings.HasPrefix(v, "ami-"):
		if !reAMI.MatchString(v) {
			return RuleParentImage, fmt.Sprintf("parentImage %q is not an AMI id; write ami- and 8 or 17 hex digits", v)
		}
		return "", ""
	case reMarketplace.MatchString(v):
		return "", ""
	case container:
		if strings.ContainsAny(v, " \t") {
			return RuleParentImage, fmt.Sprintf("parentImage %q is not a container image reference; write e.g. amazonlinux:2023", v)
		}
		return "", ""
	}
	return RuleParentImage, fmt.Sprintf("parentImage %q: write an AMI id (ami-...), an image ARN (arn:aws:imagebuilder:<region>:aws:image/<name>/x.x.x), ssm:<parameter> or recipe:<name>", v)
}

// Cron fields of Image Builder schedules: minute hour day-of-month month
// day-of-week year.
type cronField struct {
	name   string
	lo, hi int
	names  []string // index+lo = value
	extra  string   // special characters allowed besides , - * /
}

var cronFields = []cronField{
	{"minute", 0, 59, nil, ""},
	{"hour", 0, 23, nil, ""},
	{"day-of-month", 1, 31, nil, "?LW"},
	{"month", 1, 12, []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}, ""},
	{"day-of-week", 1, 7, []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}, "?L#"},
	{"year", 1970, 2199, nil, ""},
}

var reRate = lazyre.New(`^rate\(\s*([0-9]+)\s+(minute|minutes|hour|hours|day|days)\s*\)$`)

// ScheduleError says what is wrong with an Image Builder
// scheduleExpression, or "" when the service accepts it. The Image Builder
// fake (internal/ibfake) refuses what lint refuses, from this one check.
func ScheduleError(expr string) string {
	_, msg := checkSchedule(expr)
	return msg
}

// checkSchedule validates a scheduleExpression: cron(...) with six fields
// (exactly one of day-of-month and day-of-week is `?`) or rate(...).
func checkSchedule(v string) (rule, msg string) {
	if strings.HasPrefix(v, "rate(") {
		m := reRate.FindStringSubmatch(v)
		if m == nil {
			return RuleSchedule, fmt.Sprintf("schedule %q: write rate(<n> minutes|hours|days), e.g. rate(1 day)", v)
		}
		n, _ := strconv.Atoi(m[1])
		if n < 1 {
			return RuleSchedule, fmt.Sprintf("schedule %q: the rate must be at least 1", v)
		}
		if n == 1 && strings.HasSuffix(m[2], "s") || n > 1 && !strings.HasSuffix(m[2], "s") {
			return RuleSchedule, fmt.Sprintf("schedule %q: write %q with 1 and %q otherwise", v, strings.TrimSuffix(m[2], "s"), strings.TrimSuffix(m[2], "s")+"s")
		}
		return "", ""
	}
	if !strings.HasPrefix(v, "cron(") || !strings.HasSuffix(v, ")") {
		return RuleSchedule, fmt.Sprintf("schedule %q: write cron(<minute> <hour> <day-of-month> <month> <day-of-week> <year>), e.g. cron(0 3 ? * MON *)", v)
	}
	fields := strings.Fields(v[len("cron(") : len(v)-1])
	if len(fields) != 6 {
		hint := ""
		if len(fields) == 5 {
			hint = "; the 5-field form is no longer accepted: add the year field (*) and put ? in day-of-month or day-of-week"
		}
		return RuleSchedule, fmt.Sprintf("schedule %q has %d fields, Image Builder needs 6 (minute hour day-of-month month day-of-week year)%s, e.g. cron(0 3 ? * MON *)", v, len(fields), hint)
	}
	for i, f := range fields {
		if err := checkCronField(f, cronFields[i]); err != "" {
			return RuleSchedule, fmt.Sprintf("schedule %q: %s field %q: %s", v, cronFields[i].name, f, err)
		}
	}
	dom, dow := fields[2] == "?", fields[4] == "?"
	if dom == dow {
		return RuleSchedule, fmt.Sprintf("schedule %q: exactly one of day-of-month and day-of-week must be ?, e.g. cron(0 3 * * ? *) or cron(0 3 ? * MON *)", v)
	}
	return "", ""
}

func checkCronField(f string, spec cronField) string {
	if f == "?" {
		if !strings.Contains(spec.extra, "?") {
			return "? is only allowed in day-of-month and day-of-week"
		}
		return ""
	}
	for _, part := range strings.Split(f, ",") {
		if part == "" {
			return "empty list item"
		}
		base, step, hasStep := strings.Cut(part, "/")
		if hasStep {
			if n, err := strconv.Atoi(step); err != nil || n < 1 {
				return fmt.Sprintf("step %q must be a positive number", step)
			}
		}
		if base == "*" {
			continue
		}
		if strings.Contains(spec.extra, "L") && (base == "L" || strings.HasSuffix(base, "L") || base == "LW") {
			if base == "L" || base == "LW" {
				continue
			}
			base = strings.TrimSuffix(base, "L")
		}
		if strings.Contains(spec.extra, "W") && strings.HasSuffix(base, "W") {
			base = strings.TrimSuffix(base, "W")
		}
		if strings.Contains(spec.extra, "#") {
			if d, nth, ok := strings.Cut(base, "#"); ok {
				if n, err := strconv.Atoi(nth); err != nil || n < 1 || n > 5 {
					return fmt.Sprintf("%q: the number after # must be 1-5", part)
				}
				base = d
			}
		}
		lo, hi, isRange := strings.Cut(base, "-")
		if err := cronValue(lo, spec); err != "" {
			return err
		}
		if isRange {
			if err := cronValue(hi, spec); err != "" {
				return err
			}
		}
	}
	return ""
}

func cronValue(s string, spec cronField) string {
	for _, n := range spec.names {
		if strings.EqualFold(s, n) {
			return ""
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		if spec.names != nil {
			return fmt.Sprintf("%q is not a number %d-%d or a name %s-%s", s, spec.lo, spec.hi, spec.names[0], spec.names[len(spec.names)-1])
		}
		return fmt.Sprintf("%q is not a number %d-%d", s, spec.lo, spec.hi)
	}
	if n < spec.lo || n > spec.hi {
		return fmt.Sprintf("%d is outside %d-%d", n, spec.lo, spec.hi)
	}
	return ""
}

// checkTagPattern explains a release.tagPattern the table refuses:
// `ibgitops release --tag` reads the recipe name and version out of the
// tag, so the pattern needs {name} and {version} exactly once each.
func checkTagPattern(pattern string) (rule, msg string) {
	for _, ph := range []string{"{name}", "{version}"} {
		switch n := strings.Count(pattern, ph); {
		case n == 0:
			return RuleTagPattern, fmt.Sprintf("release.tagPattern %q has no %s; ibgitops release reads the recipe name and version out of the tag, so the pattern needs both: e.g. tagPattern: \"{name}/v{version}\"", pattern, ph)
		case n > 1:
			return RuleTagPattern, fmt.Sprintf("release.tagPattern %q has %s %d times; keep it once (e.g. tagPattern: \"{name}/v{version}\")", pattern, ph, n)
		}
	}
	return "", ""
}
