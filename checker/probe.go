package checker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kworkbook/kworkbook/lessons"
)

// exec runs the probe's command in a running pod and matches its output.
func (c *Checker) exec(ctx context.Context, l *lessons.Lesson, ch *lessons.Check) outcome {
	p := ch.Exec
	ns := p.Namespace
	if ns == "" {
		ns = l.Namespace()
	}
	pod, msg, err := c.runningPod(ctx, ns, p.Pod, p.Selector)
	if err != nil {
		return infra(err, "Pod")
	}
	if pod == nil {
		return outcome{msg: msg}
	}
	if why := crashLoop(pod, time.Now()); why != "" {
		return outcome{msg: why, objects: []objectRef{podRef(pod)}}
	}
	cmd := strings.Join(p.Command, " ")
	if c.cl.Exec == nil {
		return outcome{fatal: true, err: fmt.Errorf("%w: this checker cannot run commands in pods", ErrInfrastructure)}
	}
	res, err := c.cl.Exec.Exec(ctx, ns, pod.Name, p.Container, p.Command)
	if err != nil {
		if ctx.Err() != nil {
			return outcome{msg: fmt.Sprintf("`%s` in pod %s did not finish in time", cmd, pod.Name), timedOut: true}
		}
		return outcome{msg: fmt.Sprintf("could not run `%s` in pod %s: %v", cmd, pod.Name, err)}
	}
	out := res.Stdout + res.Stderr
	x := ch.Expect
	if x == nil {
		x = &lessons.Expect{}
	}
	where := fmt.Sprintf("`%s` in pod %s", cmd, pod.Name)
	if x.ExitCode != nil && res.ExitCode != *x.ExitCode {
		head := fmt.Sprintf("%s exited with code %d; expected %d", where, res.ExitCode, *x.ExitCode)
		return outcome{msg: head + printed(out, x.Secret)}
	}
	if x.ExitCode == nil && res.ExitCode != 0 && len(x.Contains) == 0 && x.Matches == "" {
		head := fmt.Sprintf("%s failed with exit code %d", where, res.ExitCode)
		return outcome{msg: head + printed(out, x.Secret)}
	}
	if why := matchText(out, x); why != "" {
		head := fmt.Sprintf("%s printed output that %s", where, why)
		return outcome{msg: head + printed(out, x.Secret)}
	}
	return outcome{pass: true, msg: where + " printed what was expected"}
}

func printed(out string, secret bool) string {
	if secret {
		return " (output hidden: it holds secret values)"
	}
	out = strings.TrimSpace(out)
	if out == "" {
		return " (it printed nothing)"
	}
	lines := strings.Split(out, "\n")
	if len(lines) > 6 {
		lines = append([]string{"…"}, lines[len(lines)-6:]...)
	}
	return ":\n    " + strings.Join(lines, "\n    ")
}

// matchText returns "" when out satisfies x, or what it lacks.
func matchText(out string, x *lessons.Expect) string {
	for _, s := range x.Contains {
		if !strings.Contains(out, s) {
			return fmt.Sprintf("does not contain %q", hideIf(s, x.Secret))
		}
	}
	for _, s := range x.NotContains {
		if strings.Contains(out, s) {
			return fmt.Sprintf("contains %q, which it should not", hideIf(s, x.Secret))
		}
	}
	if x.Matches != "" {
		re, err := regexp.Compile(x.Matches)
		if err != nil || !re.MatchString(out) {
			return fmt.Sprintf("does not match /%s/", hideIf(x.Matches, x.Secret))
		}
	}
	return ""
}

func hideIf(s string, secret bool) string {
	if secret {
		return "(hidden)"
	}
	return s
}

// runningPod finds the pod to exec in: the named one, or the first running,
// ready pod with the labels. When there is none, msg says what was seen.
func (c *Checker) runningPod(ctx context.Context, ns, name, selector string) (*corev1.Pod, string, error) {
	var pods []corev1.Pod
	if name != "" {
		p, err := c.cl.Typed.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil, fmt.Sprintf("there is no pod %q in namespace %s to run the test from", name, ns), nil
		}
		if err != nil {
			return nil, "", err
		}
		pods = []corev1.Pod{*p}
	} else {
		list, err := c.cl.Typed.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err != nil {
			return nil, "", err
		}
		if len(list.Items) == 0 {
			return nil, fmt.Sprintf("there is no pod with labels %s in namespace %s to run the test from", selector, ns), nil
		}
		pods = list.Items
	}
	for i := range pods {
		if pods[i].Status.Phase == corev1.PodRunning && pods[i].DeletionTimestamp == nil {
			return &pods[i], "", nil
		}
	}
	p := pods[0]
	if p.DeletionTimestamp != nil {
		return nil, fmt.Sprintf("pod %s is terminating, so the test cannot run in it", p.Name), nil
	}
	reason := string(p.Status.Phase)
	for _, s := range p.Status.ContainerStatuses {
		if s.State.Waiting != nil && s.State.Waiting.Reason != "" {
			reason += ", " + s.State.Waiting.Reason
		}
	}
	return nil, fmt.Sprintf("pod %s is not running yet (%s), so the test cannot run in it", p.Name, reason), nil
}

// http sends the probe's GET and matches the response.
func (c *Checker) http(ctx context.Context, l *lessons.Lesson, ch *lessons.Check) outcome {
	h := ch.HTTP
	x := ch.Expect
	if x == nil {
		x = &lessons.Expect{}
	}
	if h.URL == "" && (h.Via == "" || h.Via == "proxy") {
		return c.httpProxy(ctx, l, h, x)
	}
	target, host, msg, err := c.hostURL(ctx, l, h)
	if err != nil {
		return infra(err, "Service")
	}
	if target == "" {
		return outcome{msg: msg}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return outcome{fatal: true, err: fmt.Errorf("%w: %v", ErrInfrastructure, err)}
	}
	what := "GET " + target
	if host != "" {
		req.Host = host
		what += " (Host: " + host + ")"
	}
	resp, err := c.cl.Host.Client.Do(req)
	if err != nil {
		return outcome{msg: fmt.Sprintf("%s → %s", what, netReason(err))}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	out := httpVerdict(what, resp.StatusCode, string(body), x)
	if out.pass && h.Service != "" {
		ns := h.Namespace
		if ns == "" {
			ns = l.Namespace()
		}
		if svc, err := c.cl.Typed.CoreV1().Services(ns).Get(ctx, h.Service, metav1.GetOptions{}); err == nil {
			return c.serviceCrashLoop(ctx, svc, out)
		}
	}
	return out
}

func httpVerdict(what string, status int, body string, x *lessons.Expect) outcome {
	wantOK := x.Status == 0 && (status < 200 || status > 299)
	if wantOK || (x.Status != 0 && status != x.Status) {
		want := "a 2xx status"
		if x.Status != 0 {
			want = strconv.Itoa(x.Status)
		}
		head := fmt.Sprintf("%s → %d; expected %s", what, status, want)
		return outcome{msg: head + printed(shorten(body, 300), x.Secret)}
	}
	if why := matchText(body, x); why != "" {
		head := fmt.Sprintf("%s → %d, but the body %s", what, status, why)
		return outcome{msg: head + printed(shorten(body, 300), x.Secret)}
	}
	return outcome{pass: true, msg: fmt.Sprintf("%s → %d", what, status)}
}

// httpProxy reaches a Service through the API server's service proxy, which
// works from anywhere kubectl works.
func (c *Checker) httpProxy(ctx context.Context, l *lessons.Lesson, h *lessons.HTTPProbe, x *lessons.Expect) outcome {
	ns := h.Namespace
	if ns == "" {
		ns = l.Namespace()
	}
	svc, err := c.cl.Typed.CoreV1().Services(ns).Get(ctx, h.Service, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return outcome{msg: fmt.Sprintf("there is no Service %q in namespace %s", h.Service, ns)}
	}
	if err != nil {
		return infra(err, "Service")
	}
	port := h.Port
	if port == "" && len(svc.Spec.Ports) > 0 {
		port = strconv.Itoa(int(svc.Spec.Ports[0].Port))
	}
	what := fmt.Sprintf("GET http://%s.%s:%s%s (through the API server)", h.Service, ns, port, pathOrRoot(h.Path))
	body, err := c.cl.Typed.CoreV1().Services(ns).ProxyGet("http", h.Service, port, pathOrRoot(h.Path), nil).DoRaw(ctx)
	if err == nil {
		if o := httpVerdict(what, http.StatusOK, string(body), x); o.pass {
			return c.serviceCrashLoop(ctx, svc, o)
		}
	}
	if err != nil {
		var st apierrors.APIStatus
		if errors.As(err, &st) {
			code := int(st.Status().Code)
			if code == http.StatusServiceUnavailable || code == http.StatusInternalServerError {
				return outcome{msg: fmt.Sprintf("%s → %d: the Service has no ready endpoints (no running, ready pod matches its selector %s, or the port is wrong)",
					what, code, labelString(svc.Spec.Selector))}
			}
			return httpVerdict(what, code, string(body), x)
		}
		if ctx.Err() != nil {
			return outcome{msg: what + " → no answer in time"}
		}
		return infra(err, "Service")
	}
	return httpVerdict(what, http.StatusOK, string(body), x)
}

// hostURL works out the address this machine uses for a NodePort,
// LoadBalancer or ingress probe. An empty target comes with a reason.
func (c *Checker) hostURL(ctx context.Context, l *lessons.Lesson, h *lessons.HTTPProbe) (target, host, msg string, err error) {
	if h.URL != "" {
		return h.URL, h.Host, "", nil
	}
	ns := h.Namespace
	if ns == "" {
		ns = l.Namespace()
	}
	if h.Via == "ingress" {
		if c.cl.Host.IngressURL == "" {
			return "", "", "this cluster has no ingress controller reachable from this machine (kworkbook's sandbox provides one; see kworkbook sandbox status)", nil
		}
		return strings.TrimRight(c.cl.Host.IngressURL, "/") + pathOrRoot(h.Path), h.Host, "", nil
	}
	svc, err := c.cl.Typed.CoreV1().Services(ns).Get(ctx, h.Service, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return "", "", fmt.Sprintf("there is no Service %q in namespace %s", h.Service, ns), nil
	}
	if err != nil {
		return "", "", "", err
	}
	sp := servicePort(svc, h.Port)
	if sp == nil {
		return "", "", fmt.Sprintf("Service %s has no port %s", svc.Name, h.Port), nil
	}
	switch h.Via {
	case "nodePort":
		if sp.NodePort == 0 {
			return "", "", fmt.Sprintf("Service %s is type %s and has no nodePort; expose it with --type=NodePort", svc.Name, typeOf(svc)), nil
		}
		if local, ok := c.cl.Host.NodePorts[int(sp.NodePort)]; ok {
			return fmt.Sprintf("http://127.0.0.1:%d%s", local, pathOrRoot(h.Path)), h.Host, "", nil
		}
		if !c.cl.Host.NodeIPsReachable {
			return "", "", fmt.Sprintf("nodePort %d is not forwarded to this machine (kworkbook's sandbox forwards 30080-30089)", sp.NodePort), nil
		}
		ip, err := c.nodeIP(ctx)
		if err != nil || ip == "" {
			return "", "", "no node address found to reach the NodePort", err
		}
		return fmt.Sprintf("http://%s%s", net.JoinHostPort(ip, strconv.Itoa(int(sp.NodePort))), pathOrRoot(h.Path)), h.Host, "", nil
	case "loadBalancer":
		if svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
			return "", "", fmt.Sprintf("Service %s is type %s, not LoadBalancer", svc.Name, typeOf(svc)), nil
		}
		for _, in := range svc.Status.LoadBalancer.Ingress {
			addr := in.IP
			if addr == "" {
				addr = in.Hostname
			}
			if addr != "" {
				return fmt.Sprintf("http://%s%s", net.JoinHostPort(addr, strconv.Itoa(int(sp.Port))), pathOrRoot(h.Path)), h.Host, "", nil
			}
		}
		return "", "", fmt.Sprintf("Service %s has no external IP yet (status.loadBalancer is empty): a load-balancer controller assigns it; see kworkbook sandbox status", svc.Name), nil
	}
	return "", "", "", fmt.Errorf("http probe: unknown via %q", h.Via)
}

func (c *Checker) nodeIP(ctx context.Context) (string, error) {
	nodes, err := c.cl.Typed.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return "", err
	}
	for _, n := range nodes.Items {
		for _, a := range n.Status.Addresses {
			if a.Type == corev1.NodeInternalIP {
				return a.Address, nil
			}
		}
	}
	return "", nil
}

func servicePort(svc *corev1.Service, port string) *corev1.ServicePort {
	for i, p := range svc.Spec.Ports {
		if port == "" || p.Name == port || strconv.Itoa(int(p.Port)) == port {
			return &svc.Spec.Ports[i]
		}
	}
	return nil
}

func typeOf(svc *corev1.Service) corev1.ServiceType {
	if svc.Spec.Type == "" {
		return corev1.ServiceTypeClusterIP
	}
	return svc.Spec.Type
}

func pathOrRoot(p string) string {
	if p == "" {
		return "/"
	}
	if !strings.HasPrefix(p, "/") {
		return "/" + p
	}
	return p
}

// netReason turns a dial error into a few plain words.
func netReason(err error) string {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "no route to host"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "no answer in time"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "no answer in time"
	}
	return err.Error()
}
