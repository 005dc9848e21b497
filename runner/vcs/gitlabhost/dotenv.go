package gitlabhost

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ibgitops/ibgitops/runner/report"
)

// GitLab's dotenv parser (Ci::ParseDotenvArtifactService) refuses the whole
// artifact, and so every variable, when the file is not smaller than 5 KiB
// (`size < 5.kilobytes`), has more than 20 variables (the smallest instance
// limit), or has a line that is not KEY=VALUE (an empty line included). It
// strips each value and does not unquote it.
const (
	dotenvMaxBytes = 5<<10 - 1
	dotenvMaxVars  = 20
	// Outputs is the file artifact with the outputs in full, named by
	// IBGITOPS_OUTPUTS_FILE, for lists that do not fit the dotenv file.
	Outputs = "ibgitops-outputs.json"
	// dotenvMaxPath bounds the IBGITOPS_OUTPUTS_FILE value; a longer report
	// folder is named by the file's base name only.
	dotenvMaxPath = 1024
)

// dotenvList is a comma-separated list variable. Each item is kept whole or
// left out; <Name>_OMITTED counts the items left out.
type dotenvList struct {
	name  string
	items []string
}

// DotenvOutputs renders the outputs for `artifacts:reports:dotenv`. The
// lists (IBGITOPS_VERSIONS, IBGITOPS_IMAGES) are cut at an item boundary to
// fit GitLab's limits; IBGITOPS_VERSIONS_OMITTED and IBGITOPS_IMAGES_OMITTED
// count what was left out, and IBGITOPS_OUTPUTS_FILE names outputsPath, the
// artifact with every item.
func DotenvOutputs(r *report.Report, outputsPath string) string {
	file := dotenvItem(outputsPath)
	if len(file) > dotenvMaxPath {
		file = Outputs
	}
	scalars := [][2]string{
		{"IBGITOPS_CHANGED", strconv.FormatBool(r.Changed())},
		{"IBGITOPS_FAILED", strconv.FormatBool(r.Failed)},
		{"IBGITOPS_OUTPUTS_FILE", file},
	}
	versions := r.Versions()
	names := make([]string, 0, len(versions))
	for n := range versions {
		names = append(names, n)
	}
	sort.Strings(names)
	vs := make([]string, 0, len(names))
	for _, n := range names {
		vs = append(vs, n+"="+versions[n])
	}
	var images []string
	for _, im := range r.Images() {
		images = append(images, im.Image)
	}
	return encodeDotenv(scalars, []dotenvList{{"IBGITOPS_VERSIONS", vs}, {"IBGITOPS_IMAGES", images}})
}

// encodeDotenv writes the scalars as they are and fits the lists into what
// is left of the size limit, sharing it evenly and giving what one list
// does not need to the others.
func encodeDotenv(scalars [][2]string, lists []dotenvList) string {
	var b strings.Builder
	for _, s := range scalars {
		b.WriteString(s[0] + "=" + s[1] + "\n")
	}
	// Each list costs NAME=VALUE\n plus NAME_OMITTED=<count>\n; the count is
	// reserved at its widest so that cutting items never grows it.
	left := dotenvMaxBytes - b.Len()
	encoded := make([][]string, len(lists))
	need := make([]int, len(lists))
	for i, l := range lists {
		for _, it := range l.items {
			if e := dotenvItem(it); e != "" {
				encoded[i] = append(encoded[i], e)
			}
		}
		left -= len(l.name) + 2 + len(l.name) + len("_OMITTED=") + len(strconv.Itoa(len(l.items))) + 1
		need[i] = joinedLen(encoded[i])
	}
	budget := shareBudget(need, max(left, 0))
	for i, l := range lists {
		kept, size := 0, 0
		for _, it := range encoded[i] {
			add := len(it)
			if kept > 0 {
				add++ // the comma
			}
			if size+add > budget[i] {
				break
			}
			size += add
			kept++
		}
		b.WriteString(l.name + "=" + strings.Join(encoded[i][:kept], ",") + "\n")
		b.WriteString(fmt.Sprintf("%s_OMITTED=%d\n", l.name, len(l.items)-kept))
	}
	return b.String()
}

// shareBudget splits total between lists needing need[i] bytes: each gets
// an even share, and a share a list does not use goes to the others.
func shareBudget(need []int, total int) []int {
	got := make([]int, len(need))
	open := len(need)
	for open > 0 && total > 0 {
		share := total / open
		if share == 0 {
			break
		}
		progress := false
		for i := range need {
			if got[i] >= need[i] {
				continue
			}
			give := min(share, need[i]-got[i])
			got[i] += give
			total -= give
			progress = progress || give > 0
			if got[i] >= need[i] {
				open--
			}
		}
		if !progress {
			break
		}
	}
	return got
}

func joinedLen(items []string) int {
	n := 0
	for i, it := range items {
		if i > 0 {
			n++
		}
		n += len(it)
	}
	return n
}

// dotenvItem keeps one list item on one line and unambiguous: bytes that
// would end the line, split the list, be stripped or read as quoting by
// GitLab, control characters and invalid UTF-8 are percent-encoded, so a
// value is never cut inside a character.
func dotenvItem(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1,
			r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f,
			r == '%', r == ',', r == '"', r == '\'', r == '#', r == ' ', r == '\\',
			r == '\u2028', r == '\u2029', r == '\ufeff':
			for j := 0; j < size; j++ {
				fmt.Fprintf(&b, "%%%02X", s[i+j])
			}
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// outputsJSON is the full outputs, in the shape of the GitHub action's
// outputs, for the file IBGITOPS_OUTPUTS_FILE names.
func outputsJSON(r *report.Report) ([]byte, error) {
	return json.MarshalIndent(struct {
		Changed  bool              `json:"changed"`
		Failed   bool              `json:"failed"`
		Versions map[string]string `json:"versions"`
		Images   []report.Image    `json:"images"`
	}{r.Changed(), r.Failed, r.Versions(), r.Images()}, "", "  ")
}
