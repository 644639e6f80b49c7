package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/kworkbook/kworkbook/checker"
	"github.com/kworkbook/kworkbook/internal/kube"
	"github.com/kworkbook/kworkbook/internal/locale"
	"github.com/kworkbook/kworkbook/internal/watch"
	"github.com/kworkbook/kworkbook/internal/web"
	"github.com/kworkbook/kworkbook/lessons"
)

func newServeCmd(a *app) *cobra.Command {
	var port int
	var open bool
	cmd := &cobra.Command{
		Use:   "serve [LESSON]",
		Short: "Show the lessons in your browser, with live exercise cards and a picture of the cluster",
		Long: `serve shows the course and its lessons in a web browser: each exercise
is a card that follows the cluster while you work with kubectl in a
terminal, with its hint ladder, and beside the lesson a picture of its
namespaces (nodes and pods, Deployments, Services, Ingresses, volumes).

It listens on 127.0.0.1 only and prints an address with a secret token:
open that address. It reads the cluster and records your progress in the
same file as the other commands; it never changes the cluster (no setup,
reset or solve from the browser). With LESSON the address opens that
lesson. Ctrl-C stops it.`,
		Example: "  kworkbook serve\n  kworkbook serve 05 --open\n  kworkbook serve --port 8080",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if port < 0 || port > 65535 {
				return &exitError{code: ExitProblem, err: fmt.Errorf("--port %d: give a port from 1 to 65535, or 0 for a free one", port)}
			}
			return a.serve(c.Context(), args, port, open)
		},
	}
	cmd.Flags().IntVar(&port, "port", 0, "the port to listen on, on 127.0.0.1 (0: the last one used when it is free, else a free one)")
	cmd.Flags().BoolVar(&open, "open", false, "open the address in the system's browser")
	return cmd
}

func (a *app) serve(ctx context.Context, args []string, port int, open bool) error {
	cat, err := a.lessons()
	if err != nil {
		return err
	}
	path := "/"
	if len(args) > 0 {
		l, err := a.lesson(args[0])
		if err != nil {
			return err
		}
		path = web.LessonPath(l.ID)
	}
	store, err := a.progressStore()
	if err != nil {
		return err
	}
	token, err := serveToken()
	if err != nil {
		return err
	}
	// The cluster may come later: the lessons can be read without it.
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	_, _, cerr := a.connect(cctx, false)
	cancel()
	if cerr != nil && ctx.Err() == nil {
		fmt.Fprintln(a.streams.ErrOut, a.p().T("serve.no_cluster", "Error", a.localize(cerr)))
	}

	ln, err := serveListen(port)
	if err != nil {
		return err
	}
	defer ln.Close()
	srv, err := web.New(web.Config{
		Catalog:  cat,
		Refused:  a.refused,
		Lang:     a.language().Lang,
		Port:     ln.Addr().(*net.TCPAddr).Port,
		Token:    token,
		Progress: store,
		Cluster:  &serveCluster{a: a},
		Log:      a.streams.ErrOut,
	})
	if err != nil {
		return err
	}
	url := srv.URL(path)
	fmt.Fprintln(a.streams.Out, a.p().T("serve.url", "URL", url))
	if open {
		if err := openBrowser(url); err != nil {
			fmt.Fprintln(a.streams.ErrOut, a.p().T("serve.open_failed", "Error", err.Error()))
		}
	}
	if err := srv.Serve(ctx, ln); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	fmt.Fprintln(a.streams.Out, a.p().T("serve.stopped"))
	return nil
}

// serveToken is the secret the address carries. It is kept in the state
// folder (readable by the learner only), so that a page left open finds
// kworkbook serve again after a restart on the same port.
func serveToken() (string, error) {
	path, err := statePath("serve-token")
	if err != nil {
		return "", err
	}
	if raw, err := os.ReadFile(path); err == nil {
		if t := strings.TrimSpace(string(raw)); len(t) >= 32 {
			return t, nil
		}
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	t := hex.EncodeToString(b)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err == nil {
		_ = os.WriteFile(path, []byte(t+"\n"), 0o600)
	}
	return t, nil
}

// serveListen listens on 127.0.0.1:port. Without a port it takes the one
// the last kworkbook serve used, when it is free, and else a free one, and
// remembers it: a page left open then finds the server again after a
// restart (its event stream reconnects by itself).
func serveListen(port int) (net.Listener, error) {
	listen := func(p int) (net.Listener, error) {
		return net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
	}
	if port != 0 {
		ln, err := listen(port)
		if err != nil {
			return nil, &exitError{code: ExitProblem, err: fmt.Errorf("--port %d: %w; leave out --port for a free one", port, err)}
		}
		return ln, nil
	}
	path, perr := statePath("serve-port")
	if perr == nil {
		if raw, err := os.ReadFile(path); err == nil {
			if last, err := strconv.Atoi(strings.TrimSpace(string(raw))); err == nil && last > 1024 && last <= 65535 {
				if ln, err := listen(last); err == nil {
					return ln, nil
				}
			}
		}
	}
	ln, err := listen(0)
	if err != nil {
		return nil, err
	}
	if perr == nil {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err == nil {
			_ = os.WriteFile(path, []byte(strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)+"\n"), 0o600)
		}
	}
	return ln, nil
}

// openBrowser opens url in the system's browser; it runs no shell.
func openBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }()
	return nil
}

// serveCluster is the cluster as the web view sees it: the app's
// connection (made when first needed, so that serve starts without a
// cluster), its checkers in the page's language, and the watch engine.
type serveCluster struct {
	a  *app
	mu sync.Mutex // the app's lazy fields are not safe for concurrent use
}

func (s *serveCluster) clients(ctx context.Context) (*kube.Clients, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, _, err := s.a.connect(ctx, false)
	return c, err
}

func (s *serveCluster) Watch(ctx context.Context, l *lessons.Lesson, lang string, report func(checker.Verdict)) error {
	cl, err := s.clients(ctx)
	if err != nil {
		return err
	}
	p := locale.New(lang)
	s.mu.Lock()
	w := &watch.Watcher{
		Quick:   s.a.checker(ctx, cl, checker.Options{Once: true, Printer: p}),
		Checker: s.a.checker(ctx, cl, checker.Options{Printer: p}),
		Dynamic: cl.Dynamic,
		Mapper:  cl.RESTMapper(),
		Resync:  15 * time.Second,
	}
	s.mu.Unlock()
	return w.Run(ctx, l, report)
}

func (s *serveCluster) Picture(ctx context.Context, scope web.Scope) (*web.Picture, error) {
	cl, err := s.clients(ctx)
	if err != nil {
		return nil, err
	}
	return web.Snapshot(ctx, cl.Typed, scope)
}
