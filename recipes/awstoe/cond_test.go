package awstoe_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/ibgitops/ibgitops/recipes/awstoe"
	"gopkg.in/yaml.v3"
)

type fakeHost struct {
	binaries, files, folders map[string]bool
	hashes                   map[string]string // "ALGO path" -> hex
}

func (h fakeHost) BinaryExists(n string) bool { return h.binaries[n] }
func (h fakeHost) FileExists(p string) bool   { return h.files[p] }
func (h fakeHost) FolderExists(p string) bool { return h.folders[p] }
func (h fakeHost) FileHash(p, algo string) (string, error) {
	if v, ok := h.hashes[algo+" "+p]; ok {
		return v, nil
	}
	return "", errors.New("no such file " + p)
}

var host = fakeHost{
	binaries: map[string]bool{"bash": true},
	files:    map[string]bool{"/etc/os-release": true},
	folders:  map[string]bool{"/etc": true},
	hashes: map[string]string{
		"MD5 /f":    "d41d8cd98f00b204e9800998ecf8427e",
		"SHA1 /f":   "da39a3ee5e6b4b0d3255bfef95601890afd80709",
		"SHA256 /f": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"SHA512 /f": "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
	},
}

func parseCond(t *testing.T, src string) *awstoe.Condition {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	c, fs := awstoe.ParseCondition(n.Content[0], "t.yaml", true)
	if len(fs) > 0 {
		t.Fatalf("%s: %v", src, fs)
	}
	return c
}

func TestEvalCondition(t *testing.T) {
	vars := awstoe.MapResolver{"Version": "2.1.1", "Two": "2", "Blank": "   ", "Path": "/f"}
	tests := []struct {
		src  string
		want bool
		err  string
	}{
		// strings
		{`stringIsEmpty: ""`, true, ""},
		{`stringIsEmpty: " "`, false, ""},
		{`stringIsWhitespace: "   "`, true, ""},
		{`stringIsWhitespace: ""`, false, ""},
		{`stringIsWhitespace: " Hello?"`, false, ""},
		{`stringIsWhitespace: '{{ Blank }}'`, true, ""},
		{`{stringEquals: '2.1.1', value: '{{ Version }}'}`, true, ""},
		{`{stringEquals: '2.1.1', value: ' 2.1.1'}`, false, ""},
		// String comparisons are not case sensitive (the docs' prose):
		// ties in case are equal for every string operator.
		{`{stringEquals: 'A', value: 'a'}`, true, ""},
		{`{stringEquals: 'Straße', value: 'STRASSE'}`, false, ""},
		{`{stringEquals: 'Ünïcode', value: 'üNÏCODE'}`, true, ""},
		{`{stringGreaterThan: 'a', value: 'A'}`, false, ""},
		{`{stringGreaterThanEquals: 'A', value: 'a'}`, true, ""},
		{`{stringLessThan: 'a', value: 'A'}`, false, ""},
		{`{stringLessThanEquals: 'a', value: 'A'}`, true, ""},
		{`{stringLessThan: 'b', value: 'A'}`, true, ""},
		{`{stringGreaterThan: 'B', value: 'a'}`, false, ""},
		{`{patternMatches: '^[a-z]+$', value: 'ThisIsValue'}`, true, ""},
		{`{stringLessThan: 'b', value: 'a'}`, true, ""},
		{`{stringLessThan: 'a', value: 'b'}`, false, ""},
		// The docs list this as true, against their own prose (equal
		// ignoring case): ibgitops follows the prose.
		{`{stringLessThan: 'A', value: 'a'}`, false, ""},
		{`{stringLessThan: 'a', value: '0'}`, true, ""},
		{`{stringLessThanEquals: 'b', value: 'b'}`, true, ""},
		{`{stringGreaterThan: 'a', value: 'b'}`, true, ""},
		{`{stringGreaterThan: 'b', value: 'b'}`, false, ""},
		{`{stringGreaterThanEquals: 'b', value: 'b'}`, true, ""},
		{`{stringEquals: 10, value: '10'}`, true, ""},
		{`{patternMatches: '^[0-9.]+$', value: '{{ Version }}'}`, true, ""},
		{`{patternMatches: '^[a-z]+$', value: 'ABC1'}`, false, ""},
		{`{patternMatches: '([', value: 'x'}`, false, "not a valid RE2"},
		// numbers: value <op> baseline
		{`{numberEquals: 2, value: '{{ Two }}'}`, true, ""},
		{`{numberEquals: 2.0, value: '2'}`, true, ""},
		{`{numberEquals: '2', value: 'a10'}`, false, ""},
		{`{numberLessThan: 2, value: 1}`, true, ""},
		{`{numberLessThan: 2, value: 2}`, false, ""},
		{`{numberLessThanEquals: 2, value: 2}`, true, ""},
		{`{numberGreaterThan: 1, value: 2}`, true, ""},
		{`{numberGreaterThan: 1, value: '1.5'}`, true, ""},
		{`{numberGreaterThanEquals: -1, value: '-1'}`, true, ""},
		{`{numberGreaterThan: 1.7e308, value: 1}`, false, ""},
		{`{numberEquals: 1, value: '1e0'}`, false, ""},
		{`{numberEquals: 99999999999999999999, value: '99999999999999999999'}`, true, ""},
		// files and binaries
		{`binaryExists: bash`, true, ""},
		{`binaryExists: nope`, false, ""},
		{`fileExists: /etc/os-release`, true, ""},
		{`fileExists: /etc`, false, ""},
		{`folderExists: /etc`, true, ""},
		{`{fileMD5Equals: D41D8CD98F00B204E9800998ECF8427E, path: '{{ Path }}'}`, true, ""},
		{`{fileSHA1Equals: da39a3ee5e6b4b0d3255bfef95601890afd80709, path: /f}`, true, ""},
		{`{fileSHA256Equals: '00', path: /f}`, false, ""},
		{`{fileSHA512Equals: cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e, path: /f}`, true, ""},
		{`{fileMD5Equals: x, path: /missing}`, false, "no such file"},
		// logical
		{`and: [{binaryExists: bash}, {not: {binaryExists: nope}}]`, true, ""},
		{`and: [{binaryExists: nope}, {numberEquals: 1, value: x}]`, false, ""},
		{`or: [{binaryExists: nope}, {fileExists: /etc/os-release}]`, true, ""},
		{`or: [{binaryExists: bash}, {fileMD5Equals: x, path: /missing}]`, true, ""},
		{`not: [{stringEquals: a, value: a}]`, false, ""},
		// unresolved references are errors
		{`{stringEquals: a, value: '{{ Nope }}'}`, false, "unresolved"},
	}
	for _, tt := range tests {
		c := parseCond(t, tt.src)
		got, err := awstoe.EvalCondition(c, vars, host)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want one containing %q", tt.src, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s = %v, %v; want %v", tt.src, got, err, tt.want)
		}
	}
}

func TestEvalConditionNoHost(t *testing.T) {
	c := parseCond(t, `fileExists: /x`)
	if _, err := awstoe.EvalCondition(c, nil, nil); err == nil {
		t.Error("fileExists without a host must be an error")
	}
	if _, err := awstoe.EvalCondition(nil, nil, nil); err == nil {
		t.Error("nil condition must be an error")
	}
}

func TestIfAction(t *testing.T) {
	plain := parseCond(t, `fileExists: /x`)
	custom := parseCond(t, `{fileExists: /x, then: Skip, else: Abort}`)
	for _, tt := range []struct {
		c      *awstoe.Condition
		result bool
		want   string
	}{
		{plain, true, awstoe.IfExecute}, {plain, false, awstoe.IfSkip},
		{custom, true, awstoe.IfSkip}, {custom, false, awstoe.IfAbort},
	} {
		if got := awstoe.IfAction(tt.c, tt.result); got != tt.want {
			t.Errorf("IfAction(%+v, %v) = %s, want %s", tt.c, tt.result, got, tt.want)
		}
	}
}

func TestLoops(t *testing.T) {
	for _, tt := range []struct {
		f    awstoe.ForLoop
		want []int
	}{
		{awstoe.ForLoop{Start: 1, End: 5, UpdateBy: 2}, []int{1, 3, 5}},
		{awstoe.ForLoop{Start: 1, End: 6, UpdateBy: 2}, []int{1, 3, 5}},
		{awstoe.ForLoop{Start: 10, End: 0, UpdateBy: -5}, []int{10, 5, 0}},
		{awstoe.ForLoop{Start: 3, End: 3, UpdateBy: 1}, []int{3}},
		{awstoe.ForLoop{Start: 1, End: 5, UpdateBy: 0}, nil},
		{awstoe.ForLoop{Start: 1, End: 5, UpdateBy: -1}, nil},
	} {
		var got []int
		for i, v := range tt.f.All() {
			if i != len(got) {
				t.Fatalf("index %d out of order", i)
			}
			got = append(got, v)
		}
		if !slices.Equal(got, tt.want) || tt.f.Count() != len(tt.want) {
			t.Errorf("%+v: got %v (count %d), want %v", tt.f, got, tt.f.Count(), tt.want)
		}
	}
	expand := func(s string) (string, error) { return awstoe.Expand(s, awstoe.MapResolver{"Hosts": "a;b;c"}) }
	fe := awstoe.ForEach{List: []string{"{{ Hosts }}"}, Delimiter: ";", Delimited: true}
	if got, err := fe.Items(expand); err != nil || strings.Join(got, "|") != "a|b|c" {
		t.Errorf("delimited forEach = %v, %v", got, err)
	}
	fl := awstoe.ForEach{List: []string{"x", "{{ Hosts }}"}}
	if got, err := fl.Items(expand); err != nil || strings.Join(got, "|") != "x|a;b;c" {
		t.Errorf("list forEach = %v, %v", got, err)
	}
}

// FuzzStringComparisonsIgnoreCase: for any two strings the string
// operators agree with one order that ignores ASCII case: exactly one of
// less, equal, greater; the "Equals" forms are the strict form or equal;
// and flipping the case of either operand changes nothing.
func FuzzStringComparisonsIgnoreCase(f *testing.F) {
	f.Add("a", "A", uint8(1))
	f.Add("abc", "ABD", uint8(3))
	f.Add("0", "a", uint8(0))
	f.Fuzz(func(t *testing.T, a, b string, flip uint8) {
		res := func(a, b string) [5]bool {
			var r [5]bool
			for i, op := range []string{awstoe.OpStringLessThan, awstoe.OpStringEquals, awstoe.OpStringGreaterThan, awstoe.OpStringLessThanEquals, awstoe.OpStringGreaterThanEquals} {
				r[i], _ = awstoe.Compare(op, b, "", a, "")
			}
			return r
		}
		r := res(a, b)
		n := 0
		for _, x := range r[:3] {
			if x {
				n++
			}
		}
		if n != 1 || r[3] != (r[0] || r[1]) || r[4] != (r[2] || r[1]) {
			t.Fatalf("%q vs %q: inconsistent %v", a, b, r)
		}
		flipped := []byte(a)
		for i := range flipped {
			if flip&(1<<(i%8)) != 0 {
				switch c := flipped[i]; {
				case c >= 'a' && c <= 'z':
					flipped[i] = c - 32
				case c >= 'A' && c <= 'Z':
					flipped[i] = c + 32
				}
			}
		}
		if got := res(string(flipped), strings.ToUpper(b)); got != r && isASCII(a+b) {
			t.Fatalf("%q vs %q: %v, with case changed %v", a, b, r, got)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
