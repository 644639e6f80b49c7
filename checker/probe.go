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
		return c.infra(err, "Pod")
	}
	if pod == nil {
		return outcome{msg: msg}
	}
	if why := crashLoop(c.p, pod, time.Now()); why != "" {
		return outcome{msg: why, objects: []objectRef{podRef(pod)}}
	}
	cmd := strings.Join(p.Command, " ")
	if c.cl.Exec == nil {
		return outcome{fatal: true, err: fmt.Errorf("%w: %s", ErrInfrastructure, c.p.T("probe.no_exec"))}
	}
	res, err := c.cl.Exec.Exec(ctx, ns, pod.Name, p.Container, p.Command)
	if err != nil {
		if ctx.Err() != nil {
			return outcome{msg: c.p.T("probe.exec_too_slow", "Command", cmd, "Pod", pod.Name), timedOut: true}
		}
		return outcome{msg: c.p.T("probe.exec_failed", "Command", cmd, "Pod", pod.Name, "Error", err.Error())}
	}
	out := res.Stdout + res.Stderr
	x := ch.Expect
	if x == nil {
		x = &lessons.Expect{}
	}
	where := c.p.T("probe.where", "Command", cmd, "Pod", pod.Name)
	if x.ExitCode != nil && res.ExitCode != *x.ExitCode {
		head := c.p.T("probe.exit_code", "Where", where, "Code", res.ExitCode, "Want", *x.ExitCode)
		return outcome{msg: head + c.printed(out, x.Secret)}
	}
	if x.ExitCode == nil && res.ExitCode != 0 && len(x.Contains) == 0 && x.Matches == "" {
		head := c.p.T("probe.failed", "Where", where, "Code", res.ExitCode)
		return outcome{msg: head + c.printed(out, x.Secret)}
	}
	if why := c.matchText(out, x); why != "" {
		head := c.p.T("probe.output_lacks", "Where", where, "Why", why)
		return outcome{msg: head + c.printed(out, x.Secret)}
	}
	return outcome{pass: true, msg: c.p.T("probe.pass", "Where", where)}
}

func (c *Checker) printed(out string, secret bool) string {
	if secret {
		return " " + c.p.T("probe.output_hidden")
	}
	out = strings.TrimSpace(out)
	if out == "" {
		return " " + c.p.T("probe.printed_nothing")
	}
	lines := strings.Split(out, "\n")
	if len(lines) > 6 {
		lines = append([]string{"…"}, lines[len(lines)-6:]...)
	}
	return ":\n    " + strings.Join(lines, "\n    ")
}

// matchText returns "" when out satisfies x, or what it lacks.
func (c *Checker) matchText(out string, x *lessons.Expect) string {
	for _, s := range x.Contains {
		if !strings.Contains(out, s) {
			return c.p.T("probe.lacks", "Text", c.quoted(s, x.Secret))
		}
	}
	for _, s := range x.NotContains {
		if strings.Contains(out, s) {
			return c.p.T("probe.has", "Text", c.quoted(s, x.Secret))
		}
	}
	if x.Matches != "" {
		re, err := regexp.Compile(x.Matches)
		if err != nil || !re.MatchString(out) {
			return c.p.T("probe.no_match", "Pattern", c.hideIf(x.Matches, x.Secret))
		}
	}
	return ""
}

func (c *Checker) hideIf(s string, secret bool) string {
	if secret {
		return c.p.T("check.hidden")
	}
	return s
}

func (c *Checker) quoted(s string, secret bool) string {
	if secret {
		return c.p.T("check.hidden")
	}
	return strconv.Quote(s)
}

// runningPod finds the pod to exec in: the named one, or the first running,
// ready pod with the labels. When there is none, msg says what was seen.
func (c *Checker) runningPod(ctx context.Context, ns, name, selector string) (*corev1.Pod, string, error) {
	var pods []corev1.Pod
	if name != "" {
		p, err := c.cl.Typed.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil, c.p.T("probe.no_pod", "Pod", name, "Namespace", ns), nil
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
			return nil, c.p.T("probe.no_pod_labelled", "Selector", selector, "Namespace", ns), nil
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
		return nil, c.p.T("probe.pod_terminating", "Pod", p.Name), nil
	}
	reason := string(p.Status.Phase)
	for _, s := range p.Status.ContainerStatuses {
		if s.State.Waiting != nil && s.State.Waiting.Reason != "" {
			reason += ", " + s.State.Waiting.Reason
		}
	}
	return nil, c.p.T("probe.pod_not_running", "Pod", p.Name, "Reason", reason), nil
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
		return c.infra(err, "Service")
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
		return outcome{msg: fmt.Sprintf("%s → %s", what, c.netReason(err))}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	out := c.httpVerdict(what, resp.StatusCode, string(body), x)
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

func (c *Checker) httpVerdict(what string, status int, body string, x *lessons.Expect) outcome {
	wantOK := x.Status == 0 && (status < 200 || status > 299)
	if wantOK || (x.Status != 0 && status != x.Status) {
		want := c.p.T("http.any_2xx")
		if x.Status != 0 {
			want = strconv.Itoa(x.Status)
		}
		head := c.p.T("http.status", "What", what, "Status", status, "Want", want)
		return outcome{msg: head + c.printed(shorten(body, 300), x.Secret)}
	}
	if why := c.matchText(body, x); why != "" {
		head := c.p.T("http.body_lacks", "What", what, "Status", status, "Why", why)
		return outcome{msg: head + c.printed(shorten(body, 300), x.Secret)}
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
		return outcome{msg: c.p.T("http.no_service", "Service", h.Service, "Namespace", ns)}
	}
	if err != nil {
		return c.infra(err, "Service")
	}
	port := h.Port
	if port == "" && len(svc.Spec.Ports) > 0 {
		port = strconv.Itoa(int(svc.Spec.Ports[0].Port))
	}
	what := c.p.T("http.via_proxy", "URL", fmt.Sprintf("http://%s.%s:%s%s", h.Service, ns, port, pathOrRoot(h.Path)))
	body, err := c.cl.Typed.CoreV1().Services(ns).ProxyGet("http", h.Service, port, pathOrRoot(h.Path), nil).DoRaw(ctx)
	if err == nil {
		if o := c.httpVerdict(what, http.StatusOK, string(body), x); o.pass {
			return c.serviceCrashLoop(ctx, svc, o)
		}
	}
	if err != nil {
		var st apierrors.APIStatus
		if errors.As(err, &st) {
			code := int(st.Status().Code)
			if code == http.StatusServiceUnavailable || code == http.StatusInternalServerError {
				return outcome{msg: c.p.T("http.no_endpoints", "What", what, "Status", code, "Selector", labelString(svc.Spec.Selector))}
			}
			return c.httpVerdict(what, code, string(body), x)
		}
		if ctx.Err() != nil {
			return outcome{msg: fmt.Sprintf("%s → %s", what, c.p.T("net.timeout"))}
		}
		return c.infra(err, "Service")
	}
	return c.httpVerdict(what, http.StatusOK, string(body), x)
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
			return "", "", c.p.T("http.no_ingress"), nil
		}
		return strings.TrimRight(c.cl.Host.IngressURL, "/") + pathOrRoot(h.Path), h.Host, "", nil
	}
	svc, err := c.cl.Typed.CoreV1().Services(ns).Get(ctx, h.Service, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return "", "", c.p.T("http.no_service", "Service", h.Service, "Namespace", ns), nil
	}
	if err != nil {
		return "", "", "", err
	}
	sp := servicePort(svc, h.Port)
	if sp == nil {
		return "", "", c.p.T("http.no_port", "Service", svc.Name, "Port", h.Port), nil
	}
	switch h.Via {
	case "nodePort":
		if sp.NodePort == 0 {
			return "", "", c.p.T("http.no_node_port", "Service", svc.Name, "Type", string(typeOf(svc))), nil
		}
		if local, ok := c.cl.Host.NodePorts[int(sp.NodePort)]; ok {
			return fmt.Sprintf("http://127.0.0.1:%d%s", local, pathOrRoot(h.Path)), h.Host, "", nil
		}
		if !c.cl.Host.NodeIPsReachable {
			return "", "", c.p.T("http.node_port_not_forwarded", "Port", sp.NodePort), nil
		}
		ip, err := c.nodeIP(ctx)
		if err != nil || ip == "" {
			return "", "", c.p.T("http.no_node_address"), err
		}
		return fmt.Sprintf("http://%s%s", net.JoinHostPort(ip, strconv.Itoa(int(sp.NodePort))), pathOrRoot(h.Path)), h.Host, "", nil
	case "loadBalancer":
		if svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
			return "", "", c.p.T("http.not_load_balancer", "Service", svc.Name, "Type", string(typeOf(svc))), nil
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
		return "", "", c.p.T("http.no_external_ip", "Service", svc.Name), nil
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
func (c *Checker) netReason(err error) string {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return c.p.T("net.refused")
	case errors.Is(err, syscall.ECONNRESET):
		return c.p.T("net.reset")
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return c.p.T("net.no_route")
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return c.p.T("net.timeout")
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return c.p.T("net.timeout")
	}
	return err.Error()
}
