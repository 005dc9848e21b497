// Package ibfake is a wire-level fake of EC2 Image Builder: an http.Handler
// that speaks the service's restJson1 protocol (the HTTP method and path of
// each operation, lowerCamelCase JSON bodies, query parameters for GET and
// DELETE, `X-Amzn-ErrorType` plus a `{"message":...}` body with the
// service's status codes) so that the real aws-sdk-go-v2 client, or the aws
// CLI, can be pointed at it with a custom endpoint.
//
// Requests are validated against the embedded service model (required
// members, patterns, enums, lengths, ranges). It keeps components, image
// and container recipes, infrastructure and distribution configurations,
// pipelines, images and their workflow executions in memory; honours client
// tokens; assigns build numbers as the service does (including the
// November 2025 component auto-versioning: the same name and version makes
// the next build); paginates; and moves images through PENDING, CREATING, BUILDING,
// TESTING, DISTRIBUTING, INTEGRATING to AVAILABLE (or FAILED, CANCELLED) as GetImage is
// polled or time passes. Faults (throttling, 5xx bursts, latency, a build
// that fails at a chosen workflow step) are injected with SetFaults.
//
// It also answers STS GetCallerIdentity (POST /, awsQuery protocol), so a
// client whose AWS_ENDPOINT_URL points here can learn its account.
package ibfake

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options configure a Server. The zero value is usable.
type Options struct {
	Region  string // default us-east-1
	Account string // default 123456789012
	// PollsPerState is how many GetImage calls it takes an image to move
	// to its next state (default 1). Ignored when StateDuration is set.
	PollsPerState int
	// StateDuration, when set, moves images by time instead of by polls:
	// one state per StateDuration.
	StateDuration time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// AMIs and SSMParameters are parents a recipe may build on besides the
	// AWS-managed ones (managed.go) and the AMIs built here: AMI ids of
	// this account, and SSM parameter names (/my/param) with the AMI
	// each holds.
	AMIs          []string
	SSMParameters map[string]string
	// TokenTTL is how long a client token is remembered after the call
	// that first used it succeeded (default 24h). The service documents
	// no lifetime; callers must not rely on one.
	TokenTTL time.Duration
}

// Faults are injected into the next requests. Counts are consumed as
// requests arrive; set them again to re-arm.
type Faults struct {
	// Ops restricts ThrottleNext, ThrottleEvery, ServerErrorNext and
	// Latency to these operations (empty: every operation).
	Ops []string
	// ThrottleNext answers the next N requests with 429
	// CallRateLimitExceededException.
	ThrottleNext int
	// ThrottleEvery throttles every Nth request (0: off).
	ThrottleEvery int
	// RateLimit throttles requests beyond this many per second (a token
	// bucket with a burst of RateLimit; 0: off).
	RateLimit float64
	// ServerErrorNext answers the next N requests with 500
	// ServiceException.
	ServerErrorNext int
	// UnavailableNext answers the next N requests with 503
	// ServiceUnavailableException.
	UnavailableNext int
	// Latency delays every request.
	Latency time.Duration
	// FailStep makes image builds fail at this workflow step (for example
	// "ApplyBuildComponents", "RunTestComponents", "DistributeImage").
	FailStep string
	// FailReason is the failing step's message (a default is used when
	// empty).
	FailReason string
	// QuotaExceededOps answers these operations with 402
	// ServiceQuotaExceededException.
	QuotaExceededOps []string
	// DenyOps answers these operations with 403 AccessDeniedException.
	DenyOps []string
	// LoseResponses applies the first successful call of each of these
	// operations and then loses its answer: the client sees a 500
	// ServiceException (with DropConnection, a connection closed without an
	// answer, as a timeout ends one) although the write happened. A retry
	// with the same client token must get the first answer back, not make
	// a second resource. The other faults only refuse a call before it is
	// applied.
	LoseResponses  []string
	DropConnection bool
}

// Server is the fake. Create it with New; it is an http.Handler.
type Server struct {
	model *Model
	opts  Options

	mu        sync.Mutex
	faults    Faults
	seq       int // requests seen, for ThrottleEvery
	bucket    float64
	bucketAt  time.Time
	calls     map[string]int
	first     map[string]int // requests that were no retry (FirstAttempts)
	tokens    map[string]tokenEntry
	resources map[string]*resource // by ARN (build ARN for components and images)
	execs     map[string]*workflowExec
	requestN  int
	amis      map[string]bool   // AMI ids a recipe may build on
	ssm       map[string]string // SSM parameter name -> AMI id
	// amiNameOwner is the image holding each fixed AMI name
	// (Region\x00name), amiOfImage the AMI id of an image in a Region
	// (image ARN\x00Region): EC2's name uniqueness (aminames.go).
	amiNameOwner map[string]string
	amiOfImage   map[string]string
}

// tokenEntry is what a client token answered. Tokens are scoped like the
// service's: per account and per operation (the same token on
// CreateComponent and CreateImage are unrelated), and only a successful
// call records one: a call that failed can be repeated with its token.
type tokenEntry struct {
	digest string
	body   []byte
	at     time.Time
}

// New returns a fake whose account holds nothing yet; the AWS-managed
// parent images and components are there, as on the service.
func New(opts Options) (*Server, error) {
	m, err := LoadModel()
	if err != nil {
		return nil, err
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.Account == "" {
		opts.Account = "123456789012"
	}
	if opts.PollsPerState <= 0 {
		opts.PollsPerState = 1
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = 24 * time.Hour
	}
	s := &Server{
		model:     m,
		opts:      opts,
		calls:     map[string]int{},
		first:     map[string]int{},
		tokens:    map[string]tokenEntry{},
		resources: map[string]*resource{},
		execs:     map[string]*workflowExec{},
		amis:      map[string]bool{},
		ssm:       map[string]string{},

		amiNameOwner: map[string]string{},
		amiOfImage:   map[string]string{},
	}
	s.seedManaged()
	return s, nil
}

// Model returns the service model the fake validates with.
func (s *Server) Model() *Model { return s.model }

// Region and Account the fake's ARNs carry.
func (s *Server) Region() string  { return s.opts.Region }
func (s *Server) Account() string { return s.opts.Account }

// SetFaults replaces the injected faults.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f.LoseResponses = append([]string(nil), f.LoseResponses...) // consumed as calls arrive
	s.faults = f
	s.bucket = f.RateLimit
	s.bucketAt = s.opts.Now()
}

// Calls returns how many requests each operation received (including
// those answered with an injected fault).
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.calls)
}

// ResetCalls zeroes the call counters.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = map[string]int{}
	s.first = map[string]int{}
}

// FirstAttempts is Calls without the SDK's retries of a request: the API
// calls the client made, whatever the network did to them.
func (s *Server) FirstAttempts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.first)
}

// apiError is an error the service returns: Code names the error shape.
type apiError struct {
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func errorf(code, format string, args ...any) *apiError {
	return &apiError{Code: code, Message: fmt.Sprintf(format, args...)}
}

func notFound(kind, arn string) *apiError {
	return errorf("ResourceNotFoundException", "The resource ARN '%s' of type '%s' does not exist.", arn, kind)
}

// ServeHTTP routes one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, label := s.route(r)
	if op == nil {
		if r.Method == http.MethodPost && (r.URL.Path == "/" || r.URL.Path == "") {
			s.serveSTS(w, r)
			return
		}
		s.writeError(w, errorf("UnknownOperationException", "no Image Builder operation is bound to %s %s", r.Method, r.URL.EscapedPath()))
		return
	}
	// Every error of a known operation is fitted to the codes the
	// operation declares (errors.go).
	fail := func(e *apiError) { s.writeError(w, s.model.fitError(op, e)) }
	if delay, faultErr := s.injectFault(op.Name); delay > 0 || faultErr != nil {
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		if faultErr != nil {
			fail(faultErr)
			return
		}
	}
	in, err := s.decodeInput(op, r, label)
	if err != nil {
		fail(err)
		return
	}
	if op.Input != nil {
		if err := s.model.Validate(op.Input.Shape, in, ""); err != nil {
			var ve *validationError
			if errors.As(err, &ve) {
				fail(&apiError{Code: ve.Code, Message: ve.Message})
				return
			}
			fail(errorf("ServiceException", "%v", err))
			return
		}
	}
	body, apiErr := s.call(op, in)
	if apiErr != nil {
		fail(apiErr)
		return
	}
	if drop, lost := s.loseResponse(op.Name); lost {
		if hj, ok := w.(http.Hijacker); ok && drop {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		fail(errorf("ServiceException", "An internal error occurred."))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Requestid", s.newRequestID())
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// call runs the handler under the lock, with client-token idempotency.
func (s *Server) call(op *Operation, in map[string]any) ([]byte, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var tokenKey, digest string
	if token, ok := in["clientToken"].(string); ok && s.hasIdempotencyToken(op) {
		canon, _ := json.Marshal(in) // map keys are sorted: canonical
		sum := sha256.Sum256(canon)
		digest = hex.EncodeToString(sum[:])
		tokenKey = s.opts.Account + "\x00" + op.Name + "\x00" + token
		if prev, ok := s.tokens[tokenKey]; ok && s.opts.Now().Sub(prev.at) >= s.opts.TokenTTL {
			delete(s.tokens, tokenKey) // expired: the token is new again
		} else if ok {
			if prev.digest != digest {
				return nil, errorf("IdempotentParameterMismatchException",
					"The client token '%s' was already used with different request parameters.", token)
			}
			return prev.body, nil
		}
	}
	h := handlers[op.Name]
	if h == nil {
		return nil, errorf("InvalidRequestException", "The fake does not implement %s.", op.Name)
	}
	out, err := h(s, in)
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = map[string]any{}
	}
	if op.Output != nil {
		projected := s.model.Project(op.Output.Shape, out).(map[string]any)
		if _, ok := s.model.Shapes[op.Output.Shape].Members["requestId"]; ok {
			projected["requestId"] = s.newRequestIDLocked()
		}
		if _, ok := s.model.Shapes[op.Output.Shape].Members["clientToken"]; ok && in["clientToken"] != nil {
			projected["clientToken"] = in["clientToken"]
		}
		out = projected
	}
	body, jerr := json.Marshal(out)
	if jerr != nil {
		return nil, errorf("ServiceException", "encode response: %v", jerr)
	}
	if tokenKey != "" {
		s.tokens[tokenKey] = tokenEntry{digest: digest, body: body, at: s.opts.Now()}
	}
	return body, nil
}

func (s *Server) hasIdempotencyToken(op *Operation) bool {
	if op.Input == nil {
		return false
	}
	ref := s.model.Shapes[op.Input.Shape].Members["clientToken"]
	return ref != nil && ref.IdempotencyToken
}

// route finds the operation bound to the request's method and path. For
// the tag operations it also returns the unescaped {resourceArn} label.
func (s *Server) route(r *http.Request) (*Operation, string) {
	path := r.URL.EscapedPath()
	if strings.HasPrefix(path, "/tags/") {
		label, err := url.PathUnescape(strings.TrimPrefix(path, "/tags/"))
		if err != nil {
			return nil, ""
		}
		var name string
		switch r.Method {
		case http.MethodPost:
			name = "TagResource"
		case http.MethodGet:
			name = "ListTagsForResource"
		case http.MethodDelete:
			name = "UntagResource"
		}
		if op := s.model.Operations[name]; op != nil {
			s.count(name, r)
			return op, label
		}
		return nil, ""
	}
	for _, op := range s.model.Operations {
		if op.HTTP.Method == r.Method && op.HTTP.RequestURI == path {
			s.count(op.Name, r)
			return op, ""
		}
	}
	return nil, ""
}

func (s *Server) count(op string, r *http.Request) {
	s.mu.Lock()
	s.calls[op]++
	if !retried(r) {
		s.first[op]++
	}
	s.mu.Unlock()
}

// retried reports whether the SDK sent r again after a failed attempt:
// its Amz-Sdk-Request header says "attempt=N" with N > 1.
func retried(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Amz-Sdk-Request"), ";") {
		if n, ok := strings.CutPrefix(strings.TrimSpace(part), "attempt="); ok {
			return n != "1"
		}
	}
	return false
}

// decodeInput gathers the input members from the body, query string and
// path label, as restJson1 binds them.
func (s *Server) decodeInput(op *Operation, r *http.Request, label string) (map[string]any, *apiError) {
	in := map[string]any{}
	raw, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		return nil, errorf("SerializationException", "read body: %v", err)
	}
	if len(strings.TrimSpace(string(raw))) > 0 {
		if err := json.Unmarshal(raw, &in); err != nil {
			return nil, errorf("SerializationException", "the request body is not a JSON object: %v", err)
		}
	}
	if op.Input == nil {
		return in, nil
	}
	q := r.URL.Query()
	for name, ref := range s.model.Shapes[op.Input.Shape].Members {
		switch ref.Location {
		case "querystring":
			vals, ok := q[ref.LocationName]
			if !ok {
				continue
			}
			if s.model.Shapes[ref.Shape].Type == "list" {
				list := make([]any, len(vals))
				for i, v := range vals {
					list[i] = v
				}
				in[name] = list
			} else {
				in[name] = vals[0]
			}
		case "uri":
			in[name] = label
		}
	}
	return in, nil
}

// loseResponse reports whether the answer of this applied call is lost
// (LoseResponses: once per operation), and whether by a dropped connection.
func (s *Server) loseResponse(op string) (drop, lost bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := &s.faults
	for i, o := range f.LoseResponses {
		if o == op {
			f.LoseResponses = append(f.LoseResponses[:i:i], f.LoseResponses[i+1:]...)
			return f.DropConnection, true
		}
	}
	return false, false
}

// injectFault decides whether this request meets an injected fault.
func (s *Server) injectFault(op string) (time.Duration, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := &s.faults
	if contains(f.DenyOps, op) {
		return 0, errorf("AccessDeniedException", "User: arn:aws:sts::%s:assumed-role/fake/session is not authorized to perform: imagebuilder:%s", s.opts.Account, op)
	}
	if contains(f.QuotaExceededOps, op) {
		return 0, errorf("ServiceQuotaExceededException", "You have reached the service quota for %s in this account and Region.", op)
	}
	if len(f.Ops) > 0 && !contains(f.Ops, op) {
		return 0, nil
	}
	s.seq++
	delay := f.Latency
	switch {
	case f.ThrottleNext > 0:
		f.ThrottleNext--
		return delay, errorf("CallRateLimitExceededException", "Rate exceeded for operation %s.", op)
	case f.ServerErrorNext > 0:
		f.ServerErrorNext--
		return delay, errorf("ServiceException", "An internal error occurred.")
	case f.UnavailableNext > 0:
		f.UnavailableNext--
		return delay, errorf("ServiceUnavailableException", "The service is unavailable. Try again later.")
	case f.ThrottleEvery > 0 && s.seq%f.ThrottleEvery == 0:
		return delay, errorf("CallRateLimitExceededException", "Rate exceeded for operation %s.", op)
	}
	if f.RateLimit > 0 {
		now := s.opts.Now()
		s.bucket += now.Sub(s.bucketAt).Seconds() * f.RateLimit
		s.bucketAt = now
		if s.bucket > f.RateLimit {
			s.bucket = f.RateLimit
		}
		if s.bucket < 1 {
			return delay, errorf("CallRateLimitExceededException", "Rate exceeded for operation %s.", op)
		}
		s.bucket--
	}
	return delay, nil
}

// writeError answers with the error shape's status, the X-Amzn-ErrorType
// header and a JSON body with the message.
func (s *Server) writeError(w http.ResponseWriter, e *apiError) {
	status := http.StatusBadRequest
	if sh := s.model.Shapes[e.Code]; sh != nil && sh.Error.HTTPStatusCode != 0 {
		status = sh.Error.HTTPStatusCode
	} else if e.Code == "UnknownOperationException" {
		status = http.StatusNotFound
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	w.Header().Set("X-Amzn-Requestid", s.newRequestID())
	w.WriteHeader(status)
	body, _ := json.Marshal(map[string]string{"__type": e.Code, "message": e.Message})
	_, _ = w.Write(body)
}

func (s *Server) newRequestID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newRequestIDLocked()
}

func (s *Server) newRequestIDLocked() string {
	s.requestN++
	return uuid()
}

func uuid() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// serveSTS answers GetCallerIdentity in the awsQuery protocol.
func (s *Server) serveSTS(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	s.count("sts:"+r.PostForm.Get("Action"), r)
	if r.PostForm.Get("Action") != "GetCallerIdentity" {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>the fake answers only GetCallerIdentity</Message></Error><RequestId>%s</RequestId></ErrorResponse>`, uuid())
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::%[1]s:user/ibfake</Arn><UserId>AIDAFAKEFAKEFAKEFAKE</UserId><Account>%[1]s</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>%[2]s</RequestId></ResponseMetadata></GetCallerIdentityResponse>`, s.opts.Account, uuid())
}

// paginate returns the page of items selected by maxResults and nextToken.
func paginate(op string, items []map[string]any, in map[string]any) ([]map[string]any, string, *apiError) {
	max := 25
	if v, ok := in["maxResults"].(float64); ok {
		max = int(v)
	}
	start := 0
	if tok, ok := in["nextToken"].(string); ok {
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		parts := strings.SplitN(string(raw), "|", 2)
		n := -1
		if err == nil && len(parts) == 2 && parts[0] == op {
			n, err = strconv.Atoi(parts[1])
		}
		if err != nil || n < 0 || n > len(items) {
			return nil, "", errorf("InvalidPaginationTokenException", "The pagination token '%s' is not valid.", tok)
		}
		start = n
	}
	end := start + max
	if end >= len(items) {
		return items[start:], "", nil
	}
	return items[start:end], base64.RawURLEncoding.EncodeToString([]byte(op + "|" + strconv.Itoa(end))), nil
}

// matchFilters applies List* filters: each filter names a field of the
// listed item; an item matches when every filter has a value equal to it.
func matchFilters(item map[string]any, in map[string]any) bool {
	filters, _ := in["filters"].([]any)
	for _, f := range filters {
		fm, _ := f.(map[string]any)
		name, _ := fm["name"].(string)
		values, _ := fm["values"].([]any)
		field := name
		if name == "supportedOsVersion" {
			field = "supportedOsVersions"
		}
		got := item[field]
		ok := false
		for _, v := range values {
			switch g := got.(type) {
			case string:
				ok = ok || g == v
			case []any:
				for _, x := range g {
					ok = ok || x == v
				}
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func sortByARN(items []map[string]any) {
	sort.SliceStable(items, func(i, j int) bool {
		a, _ := items[i]["arn"].(string)
		b, _ := items[j]["arn"].(string)
		return a < b
	})
}
