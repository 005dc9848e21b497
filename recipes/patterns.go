package recipes

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// The regular expressions of the field tables are shared by lint (Go's
// RE2) and the JSON Schema (JavaScript's RegExp in editors and Ajv). They
// use only what both read the same way: explicit character classes (no
// \s, \w, \d, whose meaning differs with Unicode), no lookaround, no
// flags. TestPatternsArePortable holds that line. Rules a pattern cannot
// say (a number range, a part right of an x) are spelled out here from the
// same constants the Go checks use, and TestPatternsAgreeWithChecks
// compares both on generated variants.

// numRange is a regular expression (no anchors, no leading zeros)
// matching the decimal numbers lo..hi.
func numRange(lo, hi int) string {
	alts := splitRange(lo, hi)
	if len(alts) == 1 {
		return alts[0]
	}
	return "(?:" + strings.Join(alts, "|") + ")"
}

// splitRange covers lo..hi with patterns of equal-length numbers.
func splitRange(lo, hi int) []string {
	if lo > hi {
		return nil
	}
	ls, hs := strconv.Itoa(lo), strconv.Itoa(hi)
	if len(ls) != len(hs) {
		// lo..99..9 (len(ls) digits), then the rest.
		top := 1
		for range len(ls) {
			top *= 10
		}
		return append(splitRange(lo, top-1), splitRange(top, hi)...)
	}
	return sameLength(ls, hs)
}

// sameLength covers lo..hi, two numbers of the same number of digits.
func sameLength(lo, hi string) []string {
	if lo == hi {
		return []string{lo}
	}
	// Common prefix.
	i := 0
	for i < len(lo) && lo[i] == hi[i] {
		i++
	}
	prefix, lo, hi := lo[:i], lo[i:], hi[i:]
	rest := len(lo) - 1
	any := func(n int) string {
		switch n {
		case 0:
			return ""
		case 1:
			return "[0-9]"
		}
		return fmt.Sprintf("[0-9]{%d}", n)
	}
	allZero := strings.Trim(lo[1:], "0") == ""
	allNine := strings.Trim(hi[1:], "9") == ""
	var out []string
	if allZero && allNine {
		return []string{prefix + digitClass(lo[0], hi[0]) + any(rest)}
	}
	first, last := lo[0], hi[0]
	if !allZero {
		for _, p := range sameLength(lo[1:], strings.Repeat("9", rest)) {
			out = append(out, prefix+string(lo[0])+p)
		}
		first++
	}
	if !allNine {
		last--
	}
	if first <= last {
		out = append(out, prefix+digitClass(first, last)+any(rest))
	}
	if !allNine {
		for _, p := range sameLength(strings.Repeat("0", rest), hi[1:]) {
			out = append(out, prefix+string(hi[0])+p)
		}
	}
	return out
}

func digitClass(a, b byte) string {
	switch {
	case a == b:
		return string(a)
	case a == '0' && b == '9':
		return "[0-9]"
	}
	return "[" + string(a) + "-" + string(b) + "]"
}

// versionPatterns are the version patterns: major.minor.patch, each part
// 0..MaxVersionPart without leading zeros; with wildcards, x only
// right-aligned (1.2.x, 1.x.x, x.x.x). Built on first use with the field
// tables, not at init.
var versionPatterns = sync.OnceValue(func() (p struct{ version, wild, arnVersioned string }) {
	part := numRange(0, MaxVersionPart)
	body := part + `\.` + part + `\.` + part
	wilds := part + `\.` + part + `\.x|` + part + `\.x\.x|x\.x\.x`
	p.version = `^` + body + `$`
	p.wild = `^(?:` + body + `|` + wilds + `)$`
	p.arnVersioned = `/[-_a-z0-9]+/(?:` + body + `(?:/[0-9]+)?|` + wilds + `)$`
	return p
})

const arnPrefix = `^arn:aws[a-z-]*:imagebuilder:[a-z0-9-]+:(?:[0-9]{12}|aws(?:-[a-z-]+)?):`

// ibARNPattern is an Image Builder ARN of type typ (component, image,
// workflow/build, ...): a version, wildcards right-aligned, and a build
// number only after a concrete version.
func ibARNPattern(typ string) string {
	return arnPrefix + typ + versionPatterns().arnVersioned
}

// caseless spells a word so that any letter case matches, without flags.
func caseless(word string) string {
	var b strings.Builder
	for _, r := range word {
		lo, up := strings.ToLower(string(r)), strings.ToUpper(string(r))
		if lo == up {
			b.WriteRune(r)
			continue
		}
		b.WriteString("[" + up + lo + "]")
	}
	return b.String()
}

// cronFieldPattern is the pattern of one cron field, from the same table
// (cronFields) checkCronField reads.
func cronFieldPattern(spec cronField) string {
	vals := []string{numRange(spec.lo, spec.hi)}
	if spec.lo > 0 {
		// Atoi reads 01 as 1; the schema must too.
		vals[0] = "0*" + vals[0]
	}
	for _, n := range spec.names {
		vals = append(vals, caseless(n))
	}
	value := "(?:" + strings.Join(vals, "|") + ")"
	step := `(?:/[0-9]*[1-9][0-9]*)?`
	bases := []string{`\*`, value + "(?:-" + value + ")?"}
	if strings.Contains(spec.extra, "L") {
		if strings.Contains(spec.extra, "W") {
			bases = append(bases, "L", "LW", value+"L", value+"W")
		} else {
			bases = append(bases, "L", value+"L")
		}
	} else if strings.Contains(spec.extra, "W") {
		bases = append(bases, value+"W")
	}
	if strings.Contains(spec.extra, "#") {
		bases = append(bases, value+"#[1-5]")
	}
	item := "(?:" + strings.Join(bases, "|") + ")" + step
	return item + "(?:," + item + ")*"
}

// patSchedule is a scheduleExpression Image Builder accepts: cron() with
// six space-separated fields, exactly one of the day fields `?`, or
// rate(<n> <unit>) with the unit singular for 1. Built on first use.
var patSchedule = sync.OnceValue(func() string {
	f := make([]string, len(cronFields))
	for i, spec := range cronFields {
		f[i] = cronFieldPattern(spec)
	}
	days := `(?:\? +` + f[3] + ` +` + f[4] + `|` + f[2] + ` +` + f[3] + ` +\?)`
	cron := `cron\( *` + f[0] + ` +` + f[1] + ` +` + days + ` +` + f[5] + ` *\)`
	rate := `rate\((?:0*1 (?:minute|hour|day)|0*(?:[2-9]|[1-9][0-9]+) (?:minutes|hours|days))\)`
	return `^(?:` + cron + `|` + rate + `)$`
})

// A fastMatcher matches the language of one of the patterns that cost the
// most to compile (versions and version ranges spelled digit by digit,
// Image Builder ARNs ending in them, the name's {1,126}) without compiling
// it: a small plan compiled them for about 1.5 ms of its start (issue
// #15). The JSON Schema still carries the pattern, and
// TestFastMatchersAgree and FuzzFastMatchers hold each matcher to the
// pattern's regexp.
type fastMatcher struct{ match func(string) bool }

func (m *fastMatcher) MatchString(s string) bool { return m.match(s) }

// fastMatcherFor returns the fastMatcher of pattern, nil when it has none.
func fastMatcherFor(pattern string) *fastMatcher {
	v := versionPatterns()
	switch pattern {
	case v.version:
		return &fastMatcher{matchVersion}
	case v.wild:
		return &fastMatcher{matchWildVersion}
	case patResourceName:
		return &fastMatcher{matchResourceName}
	}
	if typ, ok := strings.CutPrefix(pattern, arnPrefix); ok {
		if typ, ok := strings.CutSuffix(typ, v.arnVersioned); ok {
			return arnMatcher(typ)
		}
	}
	return nil
}

// isVersionPart: 0..MaxVersionPart in decimal, without leading zeros.
func isVersionPart(s string) bool {
	if s == "" || len(s) > len(strconv.Itoa(MaxVersionPart)) || (len(s) > 1 && s[0] == '0') {
		return false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n <= MaxVersionPart
}

// versionParts splits major.minor.patch.
func versionParts(s string) (a, b, c string, ok bool) {
	a, rest, ok1 := strings.Cut(s, ".")
	b, c, ok2 := strings.Cut(rest, ".")
	return a, b, c, ok1 && ok2 && !strings.Contains(c, ".")
}

// matchVersion is versionPatterns().version: 1.2.3.
func matchVersion(s string) bool {
	a, b, c, ok := versionParts(s)
	return ok && isVersionPart(a) && isVersionPart(b) && isVersionPart(c)
}

// matchWildVersion is versionPatterns().wild: 1.2.3, 1.2.x, 1.x.x, x.x.x.
func matchWildVersion(s string) bool {
	a, b, c, ok := versionParts(s)
	switch {
	case !ok:
		return false
	case a == "x":
		return b == "x" && c == "x"
	case b == "x":
		return isVersionPart(a) && c == "x"
	}
	return isVersionPart(a) && isVersionPart(b) && (c == "x" || isVersionPart(c))
}

// matchResourceName is patResourceName: 3-128 characters of
// [-_A-Za-z0-9 ], no space at either end.
func matchResourceName(s string) bool {
	if len(s) < 3 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		word := c == '-' || c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
		if !word && (c != ' ' || i == 0 || i == len(s)-1) {
			return false
		}
	}
	return true
}

// arnMatcher is ibARNPattern(typ): its prefix and name by a small regexp,
// the version after them by matchVersion and matchWildVersion. The name
// has no '/', so what follows it is the version, and a build number after
// a concrete one.
func arnMatcher(typ string) *fastMatcher {
	head := regexp.MustCompile(arnPrefix + typ + `/[-_a-z0-9]+/(.*)$`)
	return &fastMatcher{func(s string) bool {
		m := head.FindStringSubmatch(s)
		if m == nil {
			return false
		}
		if v, build, ok := strings.Cut(m[1], "/"); ok {
			return matchVersion(v) && build != "" && strings.Trim(build, "0123456789") == ""
		}
		return matchWildVersion(m[1])
	}}
}
