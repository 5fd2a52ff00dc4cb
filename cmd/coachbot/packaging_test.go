package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The systemd unit in contrib/ is sandboxed, reads its secrets from an
// environment file, and passes systemd-analyze verify where systemd is.
func TestSystemdUnit(t *testing.T) {
	b, err := os.ReadFile("../../contrib/coachbot.service")
	if err != nil {
		t.Fatal(err)
	}
	unit := string(b)
	for _, want := range []string{
		"DynamicUser=yes", "StateDirectory=coachbot", "ProtectSystem=strict", "NoNewPrivileges=yes",
		"EnvironmentFile=/etc/coachbot/coachbot.env", "ExecStart=/usr/local/bin/coachbot run", "KillSignal=SIGTERM",
	} {
		if !strings.Contains(unit, "\n"+want) {
			t.Errorf("unit lacks %s", want)
		}
	}
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed")
	}
	// verify wants the program to exist: this test's binary stands in.
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "coachbot.service")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(unit, "/usr/local/bin/coachbot", exe)), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, analyze, "verify", path).CombinedOutput()
	if err != nil {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
	if strings.Contains(string(out), filepath.Base(path)) {
		t.Errorf("systemd-analyze verify warns about the unit:\n%s", out)
	}
}

// The Dockerfile builds a static binary into a non-root image with a /data
// volume and a health check; where a Docker engine runs, it is built.
func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	for _, want := range []string{
		"CGO_ENABLED=0 go build", "FROM gcr.io/distroless/static", "USER 65532:65532", "VOLUME /data",
		`CMD ["/usr/local/bin/coachbot", "health"]`, "HEALTHCHECK", "COACHBOT_OPS_LISTEN=:9090",
	} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %s", want)
		}
	}
	if testing.Short() {
		t.Skip("builds an image")
	}
	docker, err := exec.LookPath("docker")
	if err != nil {
		t.Skip("docker is not installed")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	if err := exec.CommandContext(ctx, docker, "info").Run(); err != nil {
		t.Skip("no Docker engine runs here (docker info failed)")
	}
	tag := "coachbot-test:" + time.Now().Format("20060102150405")
	out, err := exec.CommandContext(ctx, docker, "build", "-t", tag, "--build-arg", "VERSION=test", "../..").CombinedOutput()
	if err != nil {
		t.Fatalf("docker build: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command(docker, "rmi", "-f", tag).Run() })
	out, err = exec.CommandContext(ctx, docker, "run", "--rm", tag, "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "coachbot test") {
		t.Errorf("docker run version: %v\n%s", err, out)
	}
}
