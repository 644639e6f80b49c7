package checker_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	restclient "k8s.io/client-go/rest"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kworkbook/kworkbook/checker"
	"github.com/kworkbook/kworkbook/internal/kube"
	"github.com/kworkbook/kworkbook/lessons"
)

func TestExecProbes(t *testing.T) {
	client := pod("client", labels("app", "client"), corev1.PodRunning)
	tests := []struct {
		name   string
		objs   []runtime.Object
		result kube.ExecResult
		err    error
		check  string
		status checker.Status
		facts  []string
		ran    bool
	}{
		{"exit code as expected", []runtime.Object{client}, kube.ExecResult{Stdout: "ok\n"},
			nil, "exec: {pod: client, command: [wget, -qO-, web]}\nexpect: {exitCode: 0}", checker.Pass, []string{"`wget -qO- web` in pod client printed what was expected"}, true},
		{"exit code differs", []runtime.Object{client}, kube.ExecResult{Stderr: "wget: bad address 'web'\n", ExitCode: 1},
			nil, "exec: {pod: client, command: [wget, -qO-, web]}\nexpect: {exitCode: 0}", checker.Fail, []string{"exited with code 1; expected 0", "bad address 'web'"}, true},
		{"a non-zero exit without exitCode", []runtime.Object{client}, kube.ExecResult{ExitCode: 2},
			nil, "exec: {pod: client, command: [\"false\"]}\nexpect: {notContains: [x]}", checker.Fail, []string{"failed with exit code 2", "it printed nothing"}, true},
		{"a non-zero exit is fine with contains", []runtime.Object{client}, kube.ExecResult{Stdout: "** server can't find web: NXDOMAIN\n", ExitCode: 1},
			nil, "exec: {pod: client, command: [nslookup, web]}\nexpect: {contains: [NXDOMAIN]}", checker.Pass, nil, true},
		{"contains missing", []runtime.Object{client}, kube.ExecResult{Stdout: "Server: 10.96.0.10\n"},
			nil, "exec: {pod: client, command: [nslookup, web]}\nexpect: {contains: [Address, Name]}", checker.Fail, []string{`does not contain "Address"`, "Server: 10.96.0.10"}, true},
		{"contains in stderr", []runtime.Object{client}, kube.ExecResult{Stderr: "Address: 10.96.0.20\n"},
			nil, "exec: {pod: client, command: [nslookup, web]}\nexpect: {contains: [Address]}", checker.Pass, nil, true},
		{"notContains present", []runtime.Object{client}, kube.ExecResult{Stdout: "NXDOMAIN\n", ExitCode: 0},
			nil, "exec: {pod: client, command: [nslookup, web]}\nexpect: {notContains: [NXDOMAIN]}", checker.Fail, []string{`contains "NXDOMAIN", which it should not`}, true},
		{"matches", []runtime.Object{client}, kube.ExecResult{Stdout: "Address:   10.96.3.4\n"},
			nil, "exec: {pod: client, command: [nslookup, web]}\nexpect: {matches: 'Address:\\s+10\\.'}", checker.Pass, nil, true},
		{"does not match", []runtime.Object{client}, kube.ExecResult{Stdout: "Address: 192.168.1.1\n"},
			nil, "exec: {pod: client, command: [nslookup, web]}\nexpect: {matches: 'Address:\\s+10\\.'}", checker.Fail, []string{`does not match /Address:\s+10\./`, "192.168.1.1"}, true},
		{"long output keeps the last lines", []runtime.Object{client}, kube.ExecResult{Stdout: "l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\n", ExitCode: 1},
			nil, "exec: {pod: client, command: [sh, -c, x]}\nexpect: {exitCode: 0}", checker.Fail, []string{"…", "l3", "l8"}, true},
		{"selector picks a running pod", []runtime.Object{pod("a-pending", labels("app", "client"), corev1.PodPending), pod("b-running", labels("app", "client"), corev1.PodRunning)},
			kube.ExecResult{}, nil, "exec: {selector: app=client, command: [\"true\"]}\nexpect: {exitCode: 0}", checker.Pass, []string{"pod b-running"}, true},
		{"the command cannot run", []runtime.Object{client}, kube.ExecResult{}, errors.New("container not found"),
			"exec: {pod: client, command: [\"true\"]}\nexpect: {exitCode: 0}", checker.Fail, []string{"could not run `true` in pod client", "container not found"}, true},
		{"no pod by that name", nil, kube.ExecResult{}, nil,
			"exec: {pod: client, command: [\"true\"]}\nexpect: {exitCode: 0}", checker.Fail, []string{`there is no pod "client" in namespace kw-test`}, false},
		{"no pod with those labels", []runtime.Object{pod("other", labels("app", "web"), corev1.PodRunning)}, kube.ExecResult{}, nil,
			"exec: {selector: app=client, command: [\"true\"]}\nexpect: {exitCode: 0}", checker.Fail, []string{"there is no pod with labels app=client in namespace kw-test"}, false},
		{"pod not running yet", []runtime.Object{func() runtime.Object {
			p := pod("client", nil, corev1.PodPending)
			p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "web", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}}}}
			return p
		}()}, kube.ExecResult{}, nil,
			"exec: {pod: client, command: [\"true\"]}\nexpect: {exitCode: 0}", checker.Fail, []string{"pod client is not running yet (Pending, ContainerCreating)"}, false},
		{"pod terminating", []runtime.Object{func() runtime.Object {
			p := pod("client", nil, corev1.PodRunning)
			p.DeletionTimestamp = &metaNow
			return p
		}()}, kube.ExecResult{}, nil,
			"exec: {pod: client, command: [\"true\"]}\nexpect: {exitCode: 0}", checker.Fail, []string{"pod client is terminating"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeCluster(t, tt.objs...)
			f.exec.result, f.exec.err = tt.result, tt.err
			r := runOnce(t, f, check(t, tt.check))
			assertResult(t, r, tt.status, tt.facts...)
			if ran := len(f.exec.called()) > 0; ran != tt.ran {
				t.Errorf("got command run %v, want %v", ran, tt.ran)
			}
		})
	}
}

func TestExecProbeTarget(t *testing.T) {
	f := newFakeCluster(t, inNamespace(pod("client", nil, corev1.PodRunning), "kw-other"))
	r := runOnce(t, f, check(t, "exec: {pod: client, namespace: kw-other, container: shell, command: [cat, /etc/hosts]}\nexpect: {exitCode: 0}"))
	assertResult(t, r, checker.Pass)
	calls := f.exec.called()
	if len(calls) != 1 {
		t.Fatalf("got %d exec calls, want 1", len(calls))
	}
	if c := calls[0]; c.namespace != "kw-other" || c.pod != "client" || c.container != "shell" || strings.Join(c.command, " ") != "cat /etc/hosts" {
		t.Errorf("got exec %+v, want cat /etc/hosts in kw-other/client, container shell", c)
	}
}

func TestExecProbeSecretOutput(t *testing.T) {
	const secret = "hunter2-s3cr3t"
	tests := []struct {
		name   string
		check  string
		result kube.ExecResult
		facts  []string
	}{
		{"exit code", "exec: {pod: client, command: [cat, /etc/db/password]}\nexpect: {exitCode: 0, secret: true}",
			kube.ExecResult{Stdout: secret, ExitCode: 1}, []string{"exited with code 1", "output hidden"}},
		{"contains", "exec: {pod: client, command: [cat, /etc/db/password]}\nexpect: {contains: [correct-horse], secret: true}",
			kube.ExecResult{Stdout: secret}, []string{`does not contain (hidden)`, "output hidden"}},
		{"notContains", "exec: {pod: client, command: [cat, /etc/db/password]}\nexpect: {notContains: [hunter2], secret: true}",
			kube.ExecResult{Stdout: secret}, []string{`contains (hidden)`}},
		{"matches", "exec: {pod: client, command: [cat, /etc/db/password]}\nexpect: {matches: '^correct', secret: true}",
			kube.ExecResult{Stdout: secret}, []string{"does not match /(hidden)/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeCluster(t, pod("client", nil, corev1.PodRunning))
			f.exec.result = tt.result
			r := runOnce(t, f, check(t, tt.check))
			assertResult(t, r, checker.Fail, tt.facts...)
			assertNotContains(t, r, secret, "hunter2", "correct")
		})
	}
}

// proxyResponse is what the fake API server's service proxy answers.
type proxyResponse struct {
	body []byte
	err  error
}

func (p proxyResponse) DoRaw(context.Context) ([]byte, error) { return p.body, p.err }
func (p proxyResponse) Stream(context.Context) (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(p.body)), p.err
}

// proxy makes the typed fake's service proxy answer with resp, recording requests.
func proxy(f *fakeCluster, resp proxyResponse) *[]k8stesting.ProxyGetAction {
	var mu sync.Mutex
	var seen []k8stesting.ProxyGetAction
	f.typed.AddProxyReactor("services", func(a k8stesting.Action) (bool, restclient.ResponseWrapper, error) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, a.(k8stesting.ProxyGetAction))
		return true, resp, nil
	})
	return &seen
}

func statusErr(code int, body string) error {
	return apierrors.NewGenericServerResponse(code, "get", corev1.Resource("services/proxy"), "web", body, 0, false)
}

func TestHTTPProbesThroughTheAPIServer(t *testing.T) {
	web := service("web", corev1.ServiceTypeNodePort, labels("run", "web"),
		corev1.ServicePort{Name: "http", Port: 80, TargetPort: intstr.FromInt32(80), NodePort: 30080},
		corev1.ServicePort{Name: "admin", Port: 9000})
	tests := []struct {
		name   string
		objs   []runtime.Object
		resp   proxyResponse
		check  string
		status checker.Status
		facts  []string
		port   string
		path   string
	}{
		{"200 with the body expected", []runtime.Object{web}, proxyResponse{body: []byte("<h1>Welcome to nginx!</h1>")},
			"http: {service: web, port: \"80\", path: /}\nexpect: {status: 200, contains: [Welcome to nginx]}", checker.Pass,
			[]string{"GET http://web.kw-test:80/ (through the API server) → 200"}, "80", "/"},
		{"without expect any 2xx will do", []runtime.Object{web}, proxyResponse{body: []byte("ok")},
			"http: {service: web}", checker.Pass, nil, "80", "/"},
		{"port by name, path without a slash", []runtime.Object{web}, proxyResponse{body: []byte("ok")},
			"http: {service: web, port: admin, path: healthz}", checker.Pass, []string{"web.kw-test:admin/healthz"}, "admin", "/healthz"},
		{"body lacks the text", []runtime.Object{web}, proxyResponse{body: []byte("It works!")},
			"http: {service: web}\nexpect: {contains: [Welcome to nginx]}", checker.Fail,
			[]string{"→ 200, but the body does not contain \"Welcome to nginx\"", "It works!"}, "80", "/"},
		{"no endpoints", []runtime.Object{web}, proxyResponse{err: statusErr(http.StatusServiceUnavailable, "no endpoints available for service \"web\"")},
			"http: {service: web}", checker.Fail,
			[]string{"GET http://web.kw-test:80/", "→ 503", "no ready endpoints", "selector run=web"}, "80", "/"},
		{"status differs", []runtime.Object{web}, proxyResponse{body: []byte("not here"), err: statusErr(http.StatusNotFound, "not here")},
			"http: {service: web, path: /missing}\nexpect: {status: 200}", checker.Fail, []string{"→ 404; expected 200"}, "80", "/missing"},
		{"the status expected", []runtime.Object{web}, proxyResponse{err: statusErr(http.StatusNotFound, "")},
			"http: {service: web}\nexpect: {status: 404}", checker.Pass, []string{"→ 404"}, "80", "/"},
		{"no such Service", nil, proxyResponse{},
			"http: {service: web}", checker.Fail, []string{`there is no Service "web" in namespace kw-test`}, "", ""},
		{"secret body hidden", []runtime.Object{web}, proxyResponse{body: []byte("password=hunter2")},
			"http: {service: web}\nexpect: {contains: [token], secret: true}", checker.Fail, []string{`does not contain (hidden)`, "output hidden"}, "80", "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeCluster(t, tt.objs...)
			seen := proxy(f, tt.resp)
			r := runOnce(t, f, check(t, tt.check))
			assertResult(t, r, tt.status, tt.facts...)
			assertNotContains(t, r, "hunter2")
			if tt.port == "" {
				if len(*seen) != 0 {
					t.Errorf("got %d proxy requests, want none", len(*seen))
				}
				return
			}
			if len(*seen) != 1 {
				t.Fatalf("got %d proxy requests, want 1", len(*seen))
			}
			a := (*seen)[0]
			if a.GetNamespace() != ns || a.GetName() != "web" || a.GetPort() != tt.port || a.GetPath() != tt.path || a.GetScheme() != "http" {
				t.Errorf("got proxy request to %s/%s port %s path %s, want %s/web port %s path %s", a.GetNamespace(), a.GetName(), a.GetPort(), a.GetPath(), ns, tt.port, tt.path)
			}
		})
	}
}

func TestHTTPProxyUnreachable(t *testing.T) {
	f := newFakeCluster(t, service("web", corev1.ServiceTypeClusterIP, nil, corev1.ServicePort{Port: 80}))
	proxy(f, proxyResponse{err: errors.New("dial tcp 127.0.0.1:6443: connect: connection refused")})
	r := runOnce(t, f, check(t, "http: {service: web}"))
	assertResult(t, r, checker.Error)
	if !errors.Is(r.Err, checker.ErrInfrastructure) {
		t.Errorf("got %v, want an error wrapping ErrInfrastructure", r.Err)
	}
}

// server is a web server on this machine; it records the Host headers and
// paths it was asked for.
type server struct {
	*httptest.Server
	mu    sync.Mutex
	hosts []string
	paths []string
}

func newServer(t *testing.T, h http.HandlerFunc) *server {
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hosts, s.paths = append(s.hosts, r.Host), append(s.paths, r.URL.Path)
		s.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) port(t *testing.T) int {
	u := must(url.Parse(s.URL))
	return must(strconv.Atoi(u.Port()))
}

func hello(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "hello from web") }

func TestHTTPProbesFromTheHost(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		check   string
		status  checker.Status
		facts   []string
	}{
		{"2xx", hello, "http: {url: URL/}", checker.Pass, []string{"GET URL/ → 200"}},
		{"body contains", hello, "http: {url: URL/x}\nexpect: {status: 200, contains: [hello]}", checker.Pass, nil},
		{"body lacks", hello, "http: {url: URL/}\nexpect: {contains: [goodbye]}", checker.Fail, []string{`does not contain "goodbye"`, "hello from web"}},
		{"body has what it should not", hello, "http: {url: URL/}\nexpect: {notContains: [hello]}", checker.Fail, []string{`contains "hello", which it should not`}},
		{"body matches", hello, "http: {url: URL/}\nexpect: {matches: '^hello\\s'}", checker.Pass, nil},
		{"server error", func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "boom", http.StatusInternalServerError) },
			"http: {url: URL/}", checker.Fail, []string{"GET URL/ → 500; expected a 2xx status", "boom"}},
		{"status expected", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusForbidden) },
			"http: {url: URL/}\nexpect: {status: 403}", checker.Pass, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, tt.handler)
			f := newFakeCluster(t)
			r := runOnce(t, f, check(t, strings.ReplaceAll(tt.check, "URL", srv.URL)))
			facts := make([]string, len(tt.facts))
			for i, fact := range tt.facts {
				facts[i] = strings.ReplaceAll(fact, "URL", srv.URL)
			}
			assertResult(t, r, tt.status, facts...)
		})
	}
}

func TestHTTPConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	f := newFakeCluster(t)
	target := "http://" + addr + "/"
	r := runOnce(t, f, check(t, "http: {url: \""+target+"\"}"))
	assertResult(t, r, checker.Fail, "GET "+target+" → connection refused")
}

func TestHTTPNoAnswerInTime(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	f := newFakeCluster(t)
	f.host.Client = &http.Client{Timeout: 20 * time.Millisecond}
	r := runOnce(t, f, check(t, "http: {url: \""+srv.URL+"\"}"))
	assertResult(t, r, checker.Fail, "GET "+srv.URL+" → no answer in time")
}

func TestHTTPAddressResolution(t *testing.T) {
	srv := newServer(t, hello)
	port := int32(srv.port(t))
	nodePort := service("web", corev1.ServiceTypeNodePort, labels("run", "web"), corev1.ServicePort{Name: "http", Port: 80, NodePort: 30080})
	lb := func(ip string) *corev1.Service {
		s := service("web", corev1.ServiceTypeLoadBalancer, labels("run", "web"), corev1.ServicePort{Port: port, NodePort: 30081})
		if ip != "" {
			s.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: ip}}
		}
		return s
	}
	node := &corev1.Node{ObjectMeta: metaNoNS("node-1"), Status: corev1.NodeStatus{Addresses: []corev1.NodeAddress{
		{Type: corev1.NodeHostName, Address: "node-1"}, {Type: corev1.NodeInternalIP, Address: "127.0.0.1"},
	}}}
	tests := []struct {
		name   string
		objs   []runtime.Object
		host   checker.Host
		check  string
		status checker.Status
		facts  []string
		host0  string // the Host header the server saw
	}{
		{"nodePort forwarded to this machine", []runtime.Object{nodePort}, checker.Host{NodePorts: map[int]int{30080: int(port)}},
			"http: {service: web, via: nodePort, path: /hi}", checker.Pass, []string{fmt.Sprintf("GET http://127.0.0.1:%d/hi → 200", port)}, "127.0.0.1"},
		{"nodePort not forwarded", []runtime.Object{nodePort}, checker.Host{},
			"http: {service: web, via: nodePort}", checker.Fail, []string{"nodePort 30080 is not forwarded to this machine"}, ""},
		{"nodePort through a node's address", []runtime.Object{node, service("web", corev1.ServiceTypeNodePort, nil, corev1.ServicePort{Port: 80, NodePort: port})},
			checker.Host{NodeIPsReachable: true}, "http: {service: web, via: nodePort}", checker.Pass, []string{fmt.Sprintf("GET http://127.0.0.1:%d/", port)}, "127.0.0.1"},
		{"nodePort on a ClusterIP Service", []runtime.Object{service("web", "", nil, corev1.ServicePort{Port: 80})}, checker.Host{NodePorts: map[int]int{30080: int(port)}},
			"http: {service: web, via: nodePort}", checker.Fail, []string{"Service web is type ClusterIP and has no nodePort", "--type=NodePort"}, ""},
		{"a port the Service lacks", []runtime.Object{nodePort}, checker.Host{NodePorts: map[int]int{30080: int(port)}},
			"http: {service: web, port: \"8080\", via: nodePort}", checker.Fail, []string{"Service web has no port 8080"}, ""},
		{"no such Service", nil, checker.Host{NodePorts: map[int]int{30080: int(port)}},
			"http: {service: web, via: nodePort}", checker.Fail, []string{`there is no Service "web" in namespace kw-test`}, ""},
		{"loadBalancer with an external IP", []runtime.Object{lb("127.0.0.1")}, checker.Host{},
			"http: {service: web, via: loadBalancer}", checker.Pass, []string{fmt.Sprintf("GET http://127.0.0.1:%d/ → 200", port)}, "127.0.0.1"},
		{"loadBalancer without an external IP", []runtime.Object{lb("")}, checker.Host{},
			"http: {service: web, via: loadBalancer}", checker.Fail, []string{"Service web has no external IP yet"}, ""},
		{"loadBalancer on a NodePort Service", []runtime.Object{nodePort}, checker.Host{},
			"http: {service: web, via: loadBalancer}", checker.Fail, []string{"Service web is type NodePort, not LoadBalancer"}, ""},
		{"ingress with a Host header", nil, checker.Host{IngressURL: srv.URL + "/"},
			"http: {via: ingress, host: a.kworkbook.test, path: /app}", checker.Pass,
			[]string{"GET " + srv.URL + "/app (Host: a.kworkbook.test) → 200"}, "a.kworkbook.test"},
		{"no ingress from here", nil, checker.Host{},
			"http: {via: ingress, host: a.kworkbook.test}", checker.Fail, []string{"no ingress controller reachable from this machine"}, ""},
		{"url with a Host header", nil, checker.Host{},
			"http: {url: \"" + srv.URL + "\", host: b.kworkbook.test}", checker.Pass, nil, "b.kworkbook.test"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.mu.Lock()
			srv.hosts, srv.paths = nil, nil
			srv.mu.Unlock()
			f := newFakeCluster(t, tt.objs...)
			f.host = tt.host
			r := runOnce(t, f, check(t, tt.check))
			assertResult(t, r, tt.status, tt.facts...)
			srv.mu.Lock()
			defer srv.mu.Unlock()
			if tt.host0 == "" {
				if len(srv.hosts) != 0 {
					t.Errorf("got requests %v, want none", srv.paths)
				}
				return
			}
			if len(srv.hosts) != 1 || !strings.HasPrefix(srv.hosts[0], tt.host0) {
				t.Errorf("got requests with Host %v, want one with Host %s", srv.hosts, tt.host0)
			}
		})
	}
}

// In a classroom one ingress controller serves every student, so a probe
// of a path that rules without a host route cannot tell whose Ingress
// answered: it is skipped with the reason, and the exercise is decided by
// its other checks. Host-named probes still run (hosts are per student).
func TestHostlessIngressInClass(t *testing.T) {
	ing := &networkingv1.Ingress{ObjectMeta: meta0("cafe", nil)}
	f := newFakeCluster(t, ing)
	e := &lessons.Exercise{ID: "paths", Checks: []*lessons.Check{
		check(t, "{id: ingress, kind: Ingress, name: cafe}"),
		check(t, "{id: coffee, http: {via: ingress, path: /coffee}}"),
	}}
	hosts := &lessons.Exercise{ID: "hosts", Checks: []*lessons.Check{
		check(t, "{id: coffee, http: {via: ingress, host: coffee.s01.kworkbook.test, path: /}}"),
	}}
	l := lesson(e, hosts)
	ctx := context.Background()

	alone := f.checker(checker.Options{Once: true})
	if v := alone.Exercise(ctx, l, e); v.Passed() || v.Checks[1].Status == checker.Skipped {
		t.Errorf("a lone learner's probe was not run: %+v", v)
	}

	class := alone.WithLacks(map[string]string{checker.LackHostlessIngress: "shared controller"})
	v := class.Exercise(ctx, l, e)
	if !v.Passed() {
		t.Errorf("got %s (%q), want the exercise decided by its Ingress check", v.Status, v.Message)
	}
	if v.Message != "the check passes" {
		t.Errorf("got %q, want it to count the one check that ran", v.Message)
	}
	if c := v.Checks[1]; c.Status != checker.Skipped || c.Message != "shared controller" {
		t.Errorf("got the probe %+v, want it skipped with the reason", c)
	}
	if v := class.Exercise(ctx, l, hosts); v.Passed() || v.Checks[0].Status == checker.Skipped {
		t.Errorf("a probe that names a host was skipped in class: %+v", v)
	}

	// A failing Ingress check still fails the exercise in class.
	empty := newFakeCluster(t).checker(checker.Options{Once: true}).WithLacks(map[string]string{checker.LackHostlessIngress: "shared controller"})
	if v := empty.Exercise(ctx, l, e); v.Passed() {
		t.Error("the exercise passed in class without the learner's Ingress")
	}
}

// TestProbePassConfirmedAfterPolicyChange: a network plugin enforces a
// NetworkPolicy a few seconds after it is written, one half before the
// other, so a probe can pass by accident right after a change (a policy
// that denies ingress and egress: ingress already blocked, DNS still
// working). Such a pass counts only if it still holds once the policies
// have settled; a pass long after the last policy change is final at once.
func TestProbePassConfirmedAfterPolicyChange(t *testing.T) {
	blocked := kube.ExecResult{Stdout: "DNS lookup of web: ok\nGET http://web/: no answer\n", ExitCode: 1}
	noDNS := kube.ExecResult{Stdout: "DNS lookup of web failed\n", ExitCode: 2}
	src := "exec: {pod: client, command: [sh, /scripts/try.sh, web]}\nexpect: {exitCode: 1, contains: [no answer]}\ntimeout: 1s"
	policy := func(age time.Duration) *networkingv1.NetworkPolicy {
		return &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{
			Name: "deny", Namespace: ns, CreationTimestamp: metav1.NewTime(time.Now().Add(-age)),
		}}
	}
	for _, tc := range []struct {
		name   string
		policy *networkingv1.NetworkPolicy
		once   bool
		status checker.Status
		calls  int // at least
	}{
		{"policy written a moment ago: the accidental pass is not kept", policy(time.Second), false, checker.Fail, 2},
		{"the same in watch mode (one look per change)", policy(time.Second), true, checker.Fail, 2},
		{"policy settled long ago: the pass is final", policy(time.Minute), false, checker.Pass, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeCluster(t, pod("client", labels("app", "client"), corev1.PodRunning), tc.policy)
			f.exec.script = []kube.ExecResult{blocked, noDNS}
			r := f.checker(checker.Options{Once: tc.once, Interval: 10 * time.Millisecond}).Check(context.Background(), lesson(), check(t, src))
			if r.Status != tc.status {
				t.Errorf("status %s (%s), want %s", r.Status, r.Message, tc.status)
			}
			if n := len(f.exec.called()); n < tc.calls || (tc.calls == 1 && n != 1) {
				t.Errorf("%d probes, want %d", n, tc.calls)
			}
		})
	}
}
