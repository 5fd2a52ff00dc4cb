package serve

import (
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

func TestStartAndClose(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := Start(&http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })}, ln)
	resp, err := http.Get("http://" + r.Addr() + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "ok" {
		t.Fatalf("got %q", b)
	}
	if err := r.Close(time.Second); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/"); err == nil {
		t.Fatal("still serving after Close")
	}
	var none *Running
	if none.Addr() != "" || none.Close(time.Second) != nil {
		t.Fatal("a nil Running is not idle")
	}
}
