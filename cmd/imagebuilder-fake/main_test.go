package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestServeAndStop starts the command on a free port, checks that it
// answers an Image Builder call with an injected fault, and stops it.
func TestServeAndStop(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-listen", "127.0.0.1:0", "-throttle-next", "1", "-fault-ops", "ListComponents",
			"-lose-response-ops", "CreateInfrastructureConfiguration", "-amis", "ami-0aaaaaaaaaaaaaaaa"}, pw, io.Discard)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	url := strings.Fields(strings.TrimPrefix(line, "imagebuilder-fake listening on "))[0]
	for i, want := range []int{429, 200} {
		resp, err := http.Post(url+"/ListComponents", "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("call %d: status %d, want %d", i, resp.StatusCode, want)
		}
	}
	// The lost answer: a 500, although the write happened.
	for i, c := range []struct {
		method, path, body string
		want               int
	}{
		{"PUT", "/CreateInfrastructureConfiguration", `{"name":"infra","instanceProfileName":"R","clientToken":"t1"}`, 500},
		{"PUT", "/CreateInfrastructureConfiguration", `{"name":"infra","instanceProfileName":"R","clientToken":"t1"}`, 200},
		{"PUT", "/CreateImageRecipe", `{"name":"rcp","semanticVersion":"1.0.0","parentImage":"ami-0aaaaaaaaaaaaaaaa","clientToken":"t2"}`, 200},
		{"PUT", "/CreateImageRecipe", `{"name":"rcp","semanticVersion":"2.0.0","parentImage":"ami-0bbbbbbbbbbbbbbbb","clientToken":"t3"}`, 400},
	} {
		req, _ := http.NewRequest(c.method, url+c.path, strings.NewReader(c.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("request %d %s: status %d, want %d", i, c.path, resp.StatusCode, c.want)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("did not stop on cancel")
	}
}

func TestBadFlag(t *testing.T) {
	if err := run(context.Background(), []string{"-listen", "999.0.0.1:x"}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "-listen") {
		t.Fatalf("got %v", err)
	}
}
