package awstoe

import (
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"unicode"

	"github.com/ibgitops/ibgitops/internal/lazyre"
)

// Host answers the file and OS questions of the file comparison operators
// (binaryExists, fileExists, folderExists, file*Equals). The executor
// implements it against the real machine; tests use a fake.
type Host interface {
	BinaryExists(name string) bool
	FileExists(path string) bool
	FolderExists(path string) bool
	// FileHash returns the hex digest of the file at path with algo "MD5",
	// "SHA1", "SHA256" or "SHA512".
	FileHash(path, algo string) (string, error)
}

// operand kinds of comparison operators.
type opKind int

const (
	opUnary    opKind = iota // baseline only (stringIsEmpty, fileExists, ...)
	opBinary                 // baseline + value
	opFileHash               // baseline (hash) + path
	opLogical
)

var operatorKinds = map[string]opKind{
	OpAnd: opLogical, OpOr: opLogical, OpNot: opLogical,
	OpStringIsEmpty: opUnary, OpStringIsWhitespace: opUnary,
	OpStringEquals: opBinary, OpStringLessThan: opBinary, OpStringLessThanEquals: opBinary,
	OpStringGreaterThan: opBinary, OpStringGreaterThanEquals: opBinary, OpPatternMatches: opBinary,
	OpNumberEquals: opBinary, OpNumberLessThan: opBinary, OpNumberLessThanEquals: opBinary,
	OpNumberGreaterThan: opBinary, OpNumberGreaterThanEquals: opBinary,
	OpBinaryExists: opUnary, OpFileExists: opUnary, OpFolderExists: opUnary,
	OpFileMD5Equals: opFileHash, OpFileSHA1Equals: opFileHash, OpFileSHA256Equals: opFileHash, OpFileSHA512Equals: opFileHash,
}

// allOperators lists every operator in documentation order.
var allOperators = []string{
	OpAnd, OpOr, OpNot,
	OpStringIsEmpty, OpStringIsWhitespace, OpStringEquals, OpStringLessThan, OpStringLessThanEquals,
	OpStringGreaterThan, OpStringGreaterThanEquals, OpPatternMatches,
	OpNumberEquals, OpNumberLessThan, OpNumberLessThanEquals, OpNumberGreaterThan, OpNumberGreaterThanEquals,
	OpBinaryExists, OpFileExists, OpFolderExists,
	OpFileMD5Equals, OpFileSHA1Equals, OpFileSHA256Equals, OpFileSHA512Equals,
}

// Operators returns every logical and comparison operator name.
func Operators() []string { return append([]string(nil), allOperators...) }

// IsLogical reports whether op is and, or or not.
func IsLogical(op string) bool { return op == OpAnd || op == OpOr || op == OpNot }

// canonicalOperator maps a key to its operator spelling; exact is false
// when only a case-insensitive match exists (the docs' "stringlessThan").
func canonicalOperator(key string) (op string, exact bool) {
	if _, ok := operatorKinds[key]; ok {
		return key, true
	}
	for _, o := range allOperators {
		if strings.EqualFold(o, key) {
			return o, false
		}
	}
	return "", false
}

// hashAlgo is the algorithm of a file*Equals operator.
func hashAlgo(op string) string {
	switch op {
	case OpFileMD5Equals:
		return "MD5"
	case OpFileSHA1Equals:
		return "SHA1"
	case OpFileSHA256Equals:
		return "SHA256"
	case OpFileSHA512Equals:
		return "SHA512"
	}
	return ""
}

// EvalCondition evaluates c with AWSTOE's semantics. Expressions in
// Baseline, Value and Path are expanded with r first (an unresolved
// reference is an error); host answers file and binary checks and may be
// nil when the tree has none. Comparisons read as `value <op> baseline`
// (numberLessThan: 2 with value: 1 is true). and/or short-circuit in the
// order written. Then/Else are not applied: see IfAction.
func EvalCondition(c *Condition, r Resolver, host Host) (bool, error) {
	if c == nil {
		return false, errors.New("empty condition: write one operator, e.g. fileExists: /path")
	}
	kind, ok := operatorKinds[c.Op]
	if !ok {
		return false, fmt.Errorf("unknown operator %q: use one of %s", c.Op, strings.Join(allOperators, ", "))
	}
	if kind == opLogical {
		return evalLogical(c, r, host)
	}
	expand := func(s string) (string, error) {
		if r == nil {
			r = MapResolver(nil)
		}
		return Expand(s, r)
	}
	base, err := expand(c.Baseline)
	if err != nil {
		return false, fmt.Errorf("%s: %w", c.Op, err)
	}
	switch kind {
	case opUnary:
		switch c.Op {
		case OpStringIsEmpty:
			return base == "", nil
		case OpStringIsWhitespace:
			return base != "" && strings.TrimFunc(base, unicode.IsSpace) == "", nil
		}
		if host == nil {
			return false, fmt.Errorf("%s needs access to the machine, which this caller does not provide", c.Op)
		}
		switch c.Op {
		case OpBinaryExists:
			return host.BinaryExists(base), nil
		case OpFileExists:
			return host.FileExists(base), nil
		default:
			return host.FolderExists(base), nil
		}
	case opFileHash:
		if !c.HasPath {
			return false, fmt.Errorf("%s needs path: <file> next to the expected hash", c.Op)
		}
		path, err := expand(c.Path)
		if err != nil {
			return false, fmt.Errorf("%s path: %w", c.Op, err)
		}
		if host == nil {
			return false, fmt.Errorf("%s needs access to the machine, which this caller does not provide", c.Op)
		}
		sum, err := host.FileHash(path, hashAlgo(c.Op))
		if err != nil {
			return false, fmt.Errorf("%s: %w", c.Op, err)
		}
		return strings.EqualFold(strings.TrimSpace(base), sum), nil
	}
	if !c.HasValue {
		return false, fmt.Errorf("%s needs value: <second operand>", c.Op)
	}
	val, err := expand(c.Value)
	if err != nil {
		return false, fmt.Errorf("%s value: %w", c.Op, err)
	}
	return Compare(c.Op, base, c.BaselineTag, val, c.ValueTag)
}

func evalLogical(c *Condition, r Resolver, host Host) (bool, error) {
	switch c.Op {
	case OpNot:
		if len(c.Operands) != 1 {
			return false, fmt.Errorf("not takes exactly one condition, got %d", len(c.Operands))
		}
		v, err := EvalCondition(c.Operands[0], r, host)
		return !v, err
	case OpAnd:
		if len(c.Operands) == 0 {
			return false, errors.New("and needs at least one condition")
		}
		for _, o := range c.Operands {
			v, err := EvalCondition(o, r, host)
			if err != nil || !v {
				return false, err
			}
		}
		return true, nil
	default:
		if len(c.Operands) == 0 {
			return false, errors.New("or needs at least one condition")
		}
		for _, o := range c.Operands {
			v, err := EvalCondition(o, r, host)
			if err != nil || v {
				return v, err
			}
		}
		return false, nil
	}
}

// Compare applies a binary comparison operator to resolved operands:
// `value <op> baseline`. Tags are the YAML tags of the literals ("" or
// "!!str" for strings, e.g. resolved chaining values). A number operator
// with an operand that is not a number yields false, as AWSTOE does.
//
// String comparisons ignore case. AWS's "Use comparison operators in
// AWSTOE component documents" says: "String comparisons are not case
// sensitive, and they don't trim spaces from the beginning or the end of
// the string inputs." One example on that page contradicts it
// (`stringLessThan: 'A'` with `value: 'a'` listed as true, although the
// two are equal ignoring case); ibgitops follows the prose, which the
// examples of stringGreaterThan/stringGreaterThanEquals ('a' vs 'A') and
// of patternMatches (`'^[a-z]+$'` matching 'ThisIsValue') agree with.
// docs/executor.md lists this under "Differences from AWSTOE".
func Compare(op, baseline, baselineTag, value, valueTag string) (bool, error) {
	switch op {
	case OpStringEquals:
		return collate(value, baseline) == 0, nil // one notion of "equal" for every operator
	case OpStringLessThan:
		return collate(value, baseline) < 0, nil
	case OpStringLessThanEquals:
		return collate(value, baseline) <= 0, nil
	case OpStringGreaterThan:
		return collate(value, baseline) > 0, nil
	case OpStringGreaterThanEquals:
		return collate(value, baseline) >= 0, nil
	case OpPatternMatches:
		re, err := regexp.Compile("(?i)" + baseline)
		if err != nil {
			return false, fmt.Errorf("patternMatches: %q is not a valid RE2 expression: %v", baseline, err)
		}
		return re.MatchString(value), nil
	}
	b, okB := ParseNumber(baseline, baselineTag)
	v, okV := ParseNumber(value, valueTag)
	if !okB || !okV {
		return false, nil
	}
	cmp := v.Cmp(b)
	switch op {
	case OpNumberEquals:
		return cmp == 0, nil
	case OpNumberLessThan:
		return cmp < 0, nil
	case OpNumberLessThanEquals:
		return cmp <= 0, nil
	case OpNumberGreaterThan:
		return cmp > 0, nil
	case OpNumberGreaterThanEquals:
		return cmp >= 0, nil
	}
	return false, fmt.Errorf("%q is not a comparison operator", op)
}

var numberRE = lazyre.New(`^[-+]?([0-9]+[.])?[0-9]+$`)

// ParseNumber converts an operand to a number: YAML ints and floats as
// YAML reads them, strings only when they match ^[-+]?([0-9]+[.])?[0-9]+$.
func ParseNumber(s, tag string) (*big.Float, bool) {
	text := s
	switch tag {
	case "!!int", "!!float":
		text = strings.ReplaceAll(s, "_", "")
	default:
		if !numberRE.MatchString(s) {
			return nil, false
		}
	}
	f, _, err := big.ParseFloat(text, 0, 256, big.ToNearestEven)
	if err != nil {
		return nil, false
	}
	return f, true
}

// collate orders strings ignoring case (digits sort before letters, as in
// byte order); strings that differ only in case are equal.
func collate(a, b string) int {
	return strings.Compare(strings.ToLower(a), strings.ToLower(b))
}

// IfAction is what a step's `if` decides: Execute, Skip or Abort.
// result is the value of EvalCondition on the same condition.
func IfAction(c *Condition, result bool) string {
	if result {
		if c.Then != "" {
			return c.Then
		}
		return IfExecute
	}
	if c.Else != "" {
		return c.Else
	}
	return IfSkip
}
