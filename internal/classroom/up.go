package classroom

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	authv1 "k8s.io/api/authentication/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kworkbook/kworkbook/internal/kube"
	"github.com/kworkbook/kworkbook/internal/locale"
	"github.com/kworkbook/kworkbook/lessons"
	"github.com/kworkbook/kworkbook/sandbox"
)

// ClassNamespace holds the class's own records (the NodePort allotment).
const ClassNamespace = "kworkbook-class"

// UpOptions configure Up.
type UpOptions struct {
	Students []string
	Catalog  *lessons.Catalog
	// OutDir receives one kubeconfig per student, <id>.kubeconfig.
	OutDir string
	// TokenLifetime is how long a student's token lasts.
	TokenLifetime time.Duration
	Limits        Limits
	// Parallel is how many students are set up at once.
	Parallel int
	Log      sandbox.Logger
}

// StudentResult says what Up did for one student.
type StudentResult struct {
	Student    string
	Namespaces int
	Created    bool // the student is new to the class
	Kubeconfig string
	Expires    time.Time
}

// Up creates the class on the cluster: for each student, the namespaces,
// account, rights, quota, limits, policies and a kubeconfig. It is
// idempotent: a second run adds the students that are new and changes
// nothing else (a kubeconfig is written again only when it is missing or
// its token has expired).
func Up(ctx context.Context, c *kube.Clients, o UpOptions) ([]StudentResult, error) {
	log := o.Log
	if log == nil {
		log = sandbox.NopLogger{}
	}
	if o.Parallel <= 0 {
		o.Parallel = 8
	}
	if o.TokenLifetime <= 0 {
		o.TokenLifetime = 8 * time.Hour
	}
	if err := os.MkdirAll(o.OutDir, 0o700); err != nil {
		return nil, fmt.Errorf("unable to make %s: %w", o.OutDir, err)
	}
	server, ca, err := clusterAccess(c)
	if err != nil {
		return nil, err
	}
	// A class is a few thousand objects: write them faster than the
	// learner's client allows, in two waves (namespaces, then what goes in
	// them), each as parallel as the API server takes.
	fast := rest.CopyConfig(c.Config)
	fast.QPS, fast.Burst = 500, 1000
	dyn, err := dynamic.NewForConfig(fast)
	if err != nil {
		return nil, err
	}
	a := sandbox.Applier{Dynamic: dyn, Mapper: c.RESTMapper(), FieldManager: "kworkbook-class"}
	for _, obj := range classObjects() {
		if _, err := a.Apply(ctx, obj); err != nil {
			return nil, forbidden(err)
		}
	}
	ports, err := allotPorts(ctx, c, a, o.Students)
	if err != nil {
		return nil, err
	}
	podCIDRs := podNetworks(ctx, c)
	if len(podCIDRs) == 0 {
		log.Note(locale.M("class.no_pod_cidrs"))
	}

	results := make([]StudentResult, len(o.Students))
	var namespaces, others [][]map[string]any
	for i, id := range o.Students {
		results[i] = StudentResult{Student: id}
		if _, err := c.Typed.CoreV1().Namespaces().Get(ctx, Home(id), metav1.GetOptions{}); apierrors.IsNotFound(err) {
			results[i].Created = true
		}
		ns, more := studentObjects(o, id, ports[id], podCIDRs)
		namespaces, others = append(namespaces, ns), append(others, more)
		results[i].Namespaces = len(ns) - 1
	}
	for _, wave := range [][][]map[string]any{namespaces, others} {
		if err := applyAll(ctx, a, o.Students, wave, 8*o.Parallel); err != nil {
			return results, err
		}
	}
	errs := make([]error, len(o.Students))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4*o.Parallel)
	for i, id := range o.Students {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = kubeconfigFor(ctx, c, o, id, ports[id], server, ca, &results[i])
		}()
	}
	wg.Wait()
	return results, errors.Join(errs...)
}

// applyAll applies every student's objects, parallel at most n at once.
func applyAll(ctx context.Context, a sandbox.Applier, students []string, objs [][]map[string]any, n int) error {
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for i, list := range objs {
		for _, obj := range list {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				if _, err := a.Apply(ctx, &unstructured.Unstructured{Object: obj}); err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("student %s: %w", students[i], forbidden(err)))
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	if len(errs) > 3 {
		errs = append(errs[:3], fmt.Errorf("and %d more", len(errs)-3))
	}
	return errors.Join(errs...)
}

// studentObjects are a student's namespaces, then everything else.
func studentObjects(o UpOptions, id string, base int, podCIDRs []string) (namespaces, rest []map[string]any) {
	home := Home(id)
	namespaces = []map[string]any{namespace(home, id, "")}
	rest = []map[string]any{
		{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(ServiceAccount, home, id, "")},
		{"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta(StudentConfig, home, id, ""),
			"data": map[string]any{"student": id, "nodePortBase": strconv.Itoa(base)}},
		roleBinding("kworkbook-student", home, id, "view"),
		{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
			"metadata": meta("kworkbook-student-"+id, "", id, ""),
			"roleRef":  map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": ReaderRole},
			"subjects": []any{subject(id)}},
	}
	for _, ns := range Namespaces(o.Catalog, id) {
		namespaces = append(namespaces, namespace(ns.Name, id, ns.Lesson))
		rest = append(rest,
			roleBinding("kworkbook-student", ns.Name, id, "admin"),
			quota(ns.Name, id, o.Limits),
			limitRange(ns.Name, id, o.Limits),
			isolation(ns.Name, id, podCIDRs),
		)
	}
	return namespaces, rest
}

// kubeconfigFor writes a student's kubeconfig with a new token, unless
// the one there has a token that is still good.
func kubeconfigFor(ctx context.Context, c *kube.Clients, o UpOptions, id string, base int, server string, ca []byte, r *StudentResult) error {
	path := filepath.Join(o.OutDir, id+".kubeconfig")
	r.Kubeconfig = path
	if exp, ok := tokenExpiry(path); ok && time.Until(exp) > time.Minute {
		r.Expires = exp
		return nil
	}
	secs := int64(o.TokenLifetime.Seconds())
	tok, err := c.Typed.CoreV1().ServiceAccounts(Home(id)).CreateToken(ctx, ServiceAccount,
		&authv1.TokenRequest{Spec: authv1.TokenRequestSpec{ExpirationSeconds: &secs}}, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("student %s: a token: %w", id, forbidden(err))
	}
	r.Expires = tok.Status.ExpirationTimestamp.Time
	return writeKubeconfig(path, lessons.Scope{Student: id, NodePortBase: base}, server, ca, tok.Status.Token)
}

func meta(name, ns, id, lesson string) map[string]any {
	labels := map[string]any{LabelManagedBy: ManagedBy, LabelClass: "true"}
	if id != "" {
		labels[LabelStudent] = id
	}
	if lesson != "" {
		labels[LabelLesson] = lesson
	}
	m := map[string]any{"name": name, "labels": labels}
	if ns != "" {
		m["namespace"] = ns
	}
	return m
}

func namespace(name, id, lesson string) map[string]any {
	m := meta(name, "", id, lesson)
	labels := m["labels"].(map[string]any)
	labels["pod-security.kubernetes.io/enforce"] = "baseline"
	labels["pod-security.kubernetes.io/warn"] = "baseline"
	return map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": m}
}

func subject(id string) map[string]any {
	return map[string]any{"kind": "ServiceAccount", "name": ServiceAccount, "namespace": Home(id)}
}

func roleBinding(name, ns, id, role string) map[string]any {
	return map[string]any{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
		"metadata": meta(name, ns, id, ""),
		"roleRef":  map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
		"subjects": []any{subject(id)}}
}

func quota(ns, id string, l Limits) map[string]any {
	return map[string]any{"apiVersion": "v1", "kind": "ResourceQuota", "metadata": meta("kworkbook-quota", ns, id, ""),
		"spec": map[string]any{"hard": map[string]any{
			"pods": strconv.Itoa(l.Pods), "requests.cpu": l.RequestCPU.String(), "requests.memory": l.RequestMemory.String(),
			"limits.cpu": l.LimitCPU.String(), "limits.memory": l.LimitMemory.String(),
		}}}
}

func limitRange(ns, id string, l Limits) map[string]any {
	return map[string]any{"apiVersion": "v1", "kind": "LimitRange", "metadata": meta("kworkbook-limits", ns, id, ""),
		"spec": map[string]any{"limits": []any{map[string]any{
			"type":           "Container",
			"defaultRequest": map[string]any{"cpu": l.DefaultRequestCPU.String(), "memory": l.DefaultRequestMemory.String()},
			"default":        map[string]any{"cpu": l.DefaultLimitCPU.String(), "memory": l.DefaultLimitMemory.String()},
		}}}}
}

// isolation keeps a student's pods apart from other students': traffic in
// and out only within the student's own namespaces, plus DNS, the ingress
// controller, and what comes from or goes to outside the pod network (the
// nodes: the API server's proxy, kubelet probes, NodePorts).
func isolation(ns, id string, podCIDRs []string) map[string]any {
	own := map[string]any{"namespaceSelector": map[string]any{"matchLabels": map[string]any{LabelStudent: id}}}
	ingressController := map[string]any{"namespaceSelector": map[string]any{"matchLabels": map[string]any{"kubernetes.io/metadata.name": sandbox.SystemNamespace}}}
	outside := map[string]any{"ipBlock": map[string]any{"cidr": "0.0.0.0/0", "except": toAny(podCIDRs)}}
	dns := map[string]any{
		"to": []any{map[string]any{
			"namespaceSelector": map[string]any{"matchLabels": map[string]any{"kubernetes.io/metadata.name": "kube-system"}},
			"podSelector":       map[string]any{"matchLabels": map[string]any{"k8s-app": "kube-dns"}},
		}},
		"ports": []any{map[string]any{"port": 53, "protocol": "UDP"}, map[string]any{"port": 53, "protocol": "TCP"}},
	}
	from := []any{own, ingressController}
	to := []any{own, ingressController}
	if len(podCIDRs) > 0 {
		from = append(from, outside)
		to = append(to, outside)
	}
	return map[string]any{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta("kworkbook-isolation", ns, id, ""),
		"spec": map[string]any{
			"podSelector": map[string]any{},
			"policyTypes": []any{"Ingress", "Egress"},
			"ingress":     []any{map[string]any{"from": from}},
			"egress":      []any{map[string]any{"to": to}, dns},
		}}
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// classObjects are shared by every student: the class namespace and the
// reader role.
func classObjects() []*unstructured.Unstructured {
	read := []any{"get", "list", "watch"}
	return []*unstructured.Unstructured{
		{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": meta(ClassNamespace, "", "", "")}},
		{Object: map[string]any{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": meta(ReaderRole, "", "", ""),
			"rules": []any{
				map[string]any{"apiGroups": []any{""}, "resources": []any{"nodes", "namespaces", "persistentvolumes"}, "verbs": read},
				map[string]any{"apiGroups": []any{"storage.k8s.io"}, "resources": []any{"storageclasses"}, "verbs": read},
				map[string]any{"apiGroups": []any{"networking.k8s.io"}, "resources": []any{"ingressclasses"}, "verbs": read},
				map[string]any{"apiGroups": []any{"apiextensions.k8s.io"}, "resources": []any{"customresourcedefinitions"}, "verbs": read},
			}}},
	}
}

// allotPorts gives each student a block of NodePorts, kept in the class's
// ConfigMap so that a student keeps theirs when the roster grows.
func allotPorts(ctx context.Context, c *kube.Clients, a sandbox.Applier, students []string) (map[string]int, error) {
	cm, err := c.Typed.CoreV1().ConfigMaps(ClassNamespace).Get(ctx, "nodeports", metav1.GetOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return nil, forbidden(err)
	}
	ports := map[string]int{}
	used := map[int]bool{}
	if cm != nil {
		for id, v := range cm.Data {
			if n, err := strconv.Atoi(v); err == nil {
				ports[id] = n
				used[n] = true
			}
		}
	}
	next := FirstNodePort
	changed := false
	for _, id := range students {
		if _, ok := ports[id]; ok {
			continue
		}
		for used[next] {
			next += NodePortBlock
		}
		if next+NodePortBlock > 32768 {
			return nil, fmt.Errorf("the NodePort range 30000-32767 has no room for student %s", id)
		}
		ports[id], used[next] = next, true
		changed = true
	}
	if !changed && cm != nil {
		return ports, nil
	}
	data := map[string]any{}
	for id, p := range ports {
		data[id] = strconv.Itoa(p)
	}
	obj := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": meta("nodeports", ClassNamespace, "", ""), "data": data}}
	if _, err := a.Apply(ctx, obj); err != nil {
		return nil, forbidden(err)
	}
	return ports, nil
}

// podNetworks are the pod address ranges of the nodes (spec.podCIDRs).
func podNetworks(ctx context.Context, c *kube.Clients) []string {
	nodes, err := c.Typed.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, n := range nodes.Items {
		for _, cidr := range append([]string{n.Spec.PodCIDR}, n.Spec.PodCIDRs...) {
			if cidr != "" && !strings.Contains(cidr, ":") && !seen[cidr] {
				seen[cidr] = true
				out = append(out, cidr)
			}
		}
	}
	sort.Strings(out)
	return out
}

// clusterAccess is the API server's address and CA, from the teacher's
// own kubeconfig, for the students' kubeconfigs.
func clusterAccess(c *kube.Clients) (string, []byte, error) {
	if c.Config == nil {
		return "", nil, errors.New("no client configuration")
	}
	ca := c.Config.CAData
	if len(ca) == 0 && c.Config.CAFile != "" {
		b, err := os.ReadFile(c.Config.CAFile)
		if err != nil {
			return "", nil, fmt.Errorf("unable to read the cluster's CA: %w", err)
		}
		ca = b
	}
	return c.Config.Host, ca, nil
}

// writeKubeconfig writes a student's kubeconfig: the cluster, the token,
// and a context that records the student's scope (an extension kworkbook
// reads), with the student's home namespace as kubectl's default.
func writeKubeconfig(path string, s lessons.Scope, server string, ca []byte, token string) error {
	cfg := clientcmdapi.NewConfig()
	name := ContextPrefix + s.Student
	cfg.Clusters[name] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: ca}
	cfg.AuthInfos[name] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name, Namespace: Home(s.Student),
		Extensions: map[string]runtime.Object{sandbox.StudentExtension: sandbox.StudentExtensionObject(s)}}
	cfg.CurrentContext = name
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		return fmt.Errorf("unable to write %s: %w", path, err)
	}
	return os.Chmod(path, 0o600)
}

// tokenExpiry reads the expiry of the token in a kubeconfig kworkbook
// wrote (a ServiceAccount token is a JWT with exp).
func tokenExpiry(path string) (time.Time, bool) {
	cfg, err := clientcmd.LoadFromFile(path)
	if err != nil {
		return time.Time{}, false
	}
	for _, ai := range cfg.AuthInfos {
		parts := strings.Split(ai.Token, ".")
		if len(parts) != 3 {
			continue
		}
		payload, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			continue
		}
		var claims struct {
			Exp int64 `json:"exp"`
		}
		if json.Unmarshal(payload, &claims) == nil && claims.Exp > 0 {
			return time.Unix(claims.Exp, 0), true
		}
	}
	return time.Time{}, false
}

// forbidden turns the API server's refusal into advice for the teacher.
func forbidden(err error) error {
	if apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err) {
		return locale.Errorf(err, "class.needs_admin", "Error", err.Error())
	}
	return err
}
