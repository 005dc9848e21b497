package recipes

import (
	"regexp"
	"strings"
	"testing"
)

// fastPatterns are the patterns with a fastMatcher, each with the values
// that probe its edges.
func fastPatterns() map[string][]string {
	v := versionPatterns()
	versions := []string{"0.0.0", "1.2.3", "10.20.30", "01.2.3", "1.02.3", "1.2.03", "1073741823.1073741823.1073741823",
		"1073741824.0.0", "0.1073741824.0", "0.0.1073741824", "9999999999.0.0", "12345678901.0.0", "1.2", "1.2.3.4", "1..3",
		".1.2", "1.2.", "", "x.x.x", "1.x.x", "1.2.x", "x.2.3", "1.x.3", "x.x.1", "X.x.x", "1.2.3\n", " 1.2.3", "1.2.3 ",
		"+1.2.3", "-1.2.3", "１.2.3", "1.2.3x", "1.2.xx", "1.2.3/1", "\xff.1.2", "0.0.0.x"}
	arns := []string{"arn:aws:imagebuilder:us-east-1:123456789012:component/web/1.2.3/1",
		"arn:aws:imagebuilder:us-east-1:123456789012:component/web/1.2.3", "arn:aws:imagebuilder:us-east-1:aws:component/web/x.x.x",
		"arn:aws:imagebuilder:us-east-1:aws:component/web/1.2.x/1", "arn:aws:imagebuilder:us-east-1:aws:component/web/1.2.3/",
		"arn:aws:imagebuilder:us-east-1:aws:component/web/1.2.3/01", "arn:aws:imagebuilder:us-east-1:aws:component/web/1.2.3/1/2",
		"arn:aws:imagebuilder:us-east-1:aws:component/web/01.2.3", "arn:aws:imagebuilder:us-east-1:aws:component/Web/1.2.3",
		"arn:aws:imagebuilder:us-east-1:aws:component//1.2.3", "arn:aws:imagebuilder:us-east-1:aws:component/web/1.2.3\n",
		"arn:aws-cn:imagebuilder:cn-north-1:aws-marketplace:component/a-b_c/1.0.0", "arn:aws:imagebuilder:us-east-1:12345678901:component/web/1.2.3",
		"arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2023-x86/x.x.x", "arn:aws:imagebuilder:us-east-1:aws:image/web/1.2.3/4",
		"arn:aws:imagebuilder:us-east-1:aws:workflow/build/build-image/1.0.0/1", "arn:aws:imagebuilder:us-east-1:aws:workflow/deploy/x/1.0.0",
		"arn:aws:imagebuilder:us-east-1:aws:workflow/test/t/1.x.x", "xarn:aws:imagebuilder:us-east-1:aws:image/web/1.2.3"}
	names := []string{"abc", "ab", "a b", " ab", "ab ", "a  b", "web-server_2", "web.server", "wéb", strings.Repeat("a", 128),
		strings.Repeat("a", 129), "a" + strings.Repeat(" ", 126) + "b", "a\nb", "abc\n", "\xffbc", ""}
	return map[string][]string{
		v.version:                 versions,
		v.wild:                    versions,
		patResourceName:           names,
		ibARNPattern("component"): arns,
		ibARNPattern("image"):     arns,
		ibARNPattern("workflow/(?:build|test|distribution)"): arns,
	}
}

// Each fastMatcher accepts exactly what its pattern's regexp accepts.
func TestFastMatchersAgree(t *testing.T) {
	for pattern, values := range fastPatterns() {
		fast := fastMatcherFor(pattern)
		if fast == nil {
			t.Fatalf("no fastMatcher for %.60s...", pattern)
		}
		re := regexp.MustCompile(pattern)
		accepted := 0
		for _, v := range values {
			want := re.MatchString(v)
			if got := fast.MatchString(v); got != want {
				t.Errorf("%q: fastMatcher %v, regexp %v (pattern %.60s...)", v, got, want, pattern)
			}
			if want {
				accepted++
			}
		}
		if accepted == 0 || accepted == len(values) {
			t.Errorf("the values of %.60s... do not probe both sides (%d of %d accepted)", pattern, accepted, len(values))
		}
	}
	if fastMatcherFor(patAMI) != nil {
		t.Error("patAMI has a fastMatcher: the test lists every pattern that has one")
	}
}

// FuzzFastMatchers: any string, every fastMatcher agrees with its regexp.
func FuzzFastMatchers(f *testing.F) {
	patterns := fastPatterns()
	for _, values := range patterns {
		for _, v := range values {
			f.Add(v)
		}
	}
	type pair struct {
		re   *regexp.Regexp
		fast *fastMatcher
	}
	var pairs []pair
	for p := range patterns {
		pairs = append(pairs, pair{regexp.MustCompile(p), fastMatcherFor(p)})
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range pairs {
			if got, want := p.fast.MatchString(s), p.re.MatchString(s); got != want {
				t.Errorf("%q: fastMatcher %v, regexp %v (pattern %.60s...)", s, got, want, p.re)
			}
		}
	})
}
