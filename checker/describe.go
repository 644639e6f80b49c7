package checker

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kworkbook/kworkbook/internal/locale"
)

// describe says in one line what matters about an object, for verdicts:
// the state a learner would look at with kubectl get. Secret values never
// appear. The facts are a list ("3/3 ready, image nginx:1.27"), each fact
// a message of its own, so every language words them its own way.
func (c *Checker) describe(u *unstructured.Unstructured) string {
	return describeIn(c.p, u)
}

func describeIn(p *locale.Printer, u *unstructured.Unstructured) string {
	name := u.GetKind() + " " + u.GetName()
	if d := describers[u.GetKind()]; d != nil {
		if facts := d(p, u.Object); len(facts) > 0 {
			return name + ": " + strings.Join(facts, p.T("list.sep"))
		}
	}
	return name
}

var describers = map[string]func(*locale.Printer, map[string]any) []string{
	"Deployment":            describeWorkload,
	"ReplicaSet":            describeWorkload,
	"StatefulSet":           describeWorkload,
	"DaemonSet":             describeDaemonSet,
	"Pod":                   describePod,
	"Service":               describeService,
	"PersistentVolumeClaim": describePVC,
	"PersistentVolume":      describePV,
	"Node":                  describeNode,
	"ConfigMap":             describeKeys("data"),
	"Secret":                describeSecret,
	"Job":                   describeJob,
	"Ingress":               describeIngress,
	"Namespace":             describeNamespace,
	"ResourceQuota":         describeQuota,
	"LimitRange":            describeLimitRange,
	"NetworkPolicy":         describeNetworkPolicy,
}

func describeWorkload(p *locale.Printer, o map[string]any) []string {
	want, ok, _ := unstructured.NestedInt64(o, "spec", "replicas")
	if !ok {
		want = 1
	}
	ready, _, _ := unstructured.NestedInt64(o, "status", "readyReplicas")
	facts := []string{p.T("describe.ready", "Ready", ready, "Want", want)}
	if upd, ok, _ := unstructured.NestedInt64(o, "status", "updatedReplicas"); ok && upd != want {
		facts = append(facts, p.T("describe.updated", "N", upd))
	}
	if imgs := images(o, "spec", "template", "spec"); imgs != "" {
		facts = append(facts, p.T("describe.image", "Image", imgs))
	}
	return facts
}

func describeDaemonSet(p *locale.Printer, o map[string]any) []string {
	want, _, _ := unstructured.NestedInt64(o, "status", "desiredNumberScheduled")
	ready, _, _ := unstructured.NestedInt64(o, "status", "numberReady")
	return []string{p.T("describe.ready", "Ready", ready, "Want", want)}
}

func images(o map[string]any, path ...string) string {
	cs, _, _ := unstructured.NestedSlice(o, append(path, "containers")...)
	var out []string
	for _, c := range cs {
		if m, ok := c.(map[string]any); ok {
			if img, ok := m["image"].(string); ok {
				out = append(out, img)
			}
		}
	}
	return strings.Join(out, ", ")
}

func describePod(p *locale.Printer, o map[string]any) []string {
	phase, _, _ := unstructured.NestedString(o, "status", "phase")
	if phase == "" {
		phase = "Pending"
	}
	facts := []string{phase}
	statuses, _, _ := unstructured.NestedSlice(o, "status", "containerStatuses")
	ready := 0
	for _, s := range statuses {
		m, _ := s.(map[string]any)
		if r, _ := m["ready"].(bool); r {
			ready++
		}
		if reason := containerReason(p, m); reason != "" {
			facts = append(facts, reason)
		}
	}
	specCs, _, _ := unstructured.NestedSlice(o, "spec", "containers")
	if phase == "Running" {
		facts = append(facts, p.T("describe.containers_ready", "Ready", ready, "All", len(specCs)))
	}
	if node, _, _ := unstructured.NestedString(o, "spec", "nodeName"); node != "" {
		facts = append(facts, p.T("describe.on_node", "Node", node))
	}
	conds, _, _ := unstructured.NestedSlice(o, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] == "PodScheduled" && m["status"] == "False" {
			facts = append(facts, p.T("describe.not_scheduled", "Reason", fmt.Sprint(m["reason"]), "Message", fmt.Sprint(m["message"])))
		}
	}
	if reason, _, _ := unstructured.NestedString(o, "status", "reason"); reason != "" {
		facts = append(facts, reason)
	}
	return facts
}

// containerReason names what a container is stuck on or why it ended.
func containerReason(p *locale.Printer, m map[string]any) string {
	name, _ := m["name"].(string)
	if w, ok, _ := unstructured.NestedMap(m, "state", "waiting"); ok {
		r, _ := w["reason"].(string)
		if r != "" && r != "ContainerCreating" && r != "PodInitializing" {
			msg, _ := w["message"].(string)
			return strings.TrimSpace(p.T("describe.container_waiting", "Name", name, "Reason", r, "Message", shorten(msg, 120)))
		}
	}
	if t, ok, _ := unstructured.NestedMap(m, "state", "terminated"); ok {
		r, _ := t["reason"].(string)
		code, _ := number(t["exitCode"])
		return p.T("describe.container_terminated", "Name", name, "Reason", r, "Code", fmt.Sprintf("%g", code))
	}
	return ""
}

func describeService(p *locale.Printer, o map[string]any) []string {
	typ, _, _ := unstructured.NestedString(o, "spec", "type")
	if typ == "" {
		typ = "ClusterIP"
	}
	facts := []string{typ}
	if ip, _, _ := unstructured.NestedString(o, "spec", "clusterIP"); ip == "None" {
		facts[0] = p.T("describe.headless", "Type", typ)
	}
	ports, _, _ := unstructured.NestedSlice(o, "spec", "ports")
	var ps []string
	for _, pt := range ports {
		m, _ := pt.(map[string]any)
		s := fmt.Sprintf("%v", m["port"])
		if tp, ok := m["targetPort"]; ok && fmt.Sprint(tp) != fmt.Sprint(m["port"]) {
			s += fmt.Sprintf("→%v", tp)
		}
		if np, ok := m["nodePort"]; ok {
			s += " " + p.T("describe.node_port", "Port", fmt.Sprint(np))
		}
		ps = append(ps, s)
	}
	if len(ps) > 0 {
		facts = append(facts, p.T("describe.ports", "Ports", strings.Join(ps, ", ")))
	}
	if sel, _, _ := unstructured.NestedStringMap(o, "spec", "selector"); len(sel) > 0 {
		facts = append(facts, p.T("describe.selector", "Selector", labelString(sel)))
	} else {
		facts = append(facts, p.T("describe.no_selector"))
	}
	if ing, _, _ := unstructured.NestedSlice(o, "status", "loadBalancer", "ingress"); len(ing) > 0 {
		m, _ := ing[0].(map[string]any)
		facts = append(facts, p.T("describe.external_ip", "IP", fmt.Sprint(firstOf(m, "ip", "hostname"))))
	} else if typ == "LoadBalancer" {
		facts = append(facts, p.T("describe.no_external_ip"))
	}
	return facts
}

func describePVC(p *locale.Printer, o map[string]any) []string {
	phase, _, _ := unstructured.NestedString(o, "status", "phase")
	facts := []string{phase}
	if v, _, _ := unstructured.NestedString(o, "spec", "volumeName"); v != "" {
		facts = append(facts, p.T("describe.volume", "Volume", v))
	}
	if sc, ok, _ := unstructured.NestedString(o, "spec", "storageClassName"); ok {
		facts = append(facts, fmt.Sprintf("storageClassName %q", sc))
	}
	if m, _, _ := unstructured.NestedStringSlice(o, "spec", "accessModes"); len(m) > 0 {
		facts = append(facts, strings.Join(m, ","))
	}
	if s, _, _ := unstructured.NestedString(o, "spec", "resources", "requests", "storage"); s != "" {
		facts = append(facts, p.T("describe.requests", "Size", s))
	}
	return facts
}

func describePV(p *locale.Printer, o map[string]any) []string {
	phase, _, _ := unstructured.NestedString(o, "status", "phase")
	facts := []string{phase}
	if s, _, _ := unstructured.NestedString(o, "spec", "capacity", "storage"); s != "" {
		facts = append(facts, s)
	}
	if m, _, _ := unstructured.NestedStringSlice(o, "spec", "accessModes"); len(m) > 0 {
		facts = append(facts, strings.Join(m, ","))
	}
	if r, _, _ := unstructured.NestedString(o, "spec", "persistentVolumeReclaimPolicy"); r != "" {
		facts = append(facts, p.T("describe.reclaim", "Policy", r))
	}
	if ns, _, _ := unstructured.NestedString(o, "spec", "claimRef", "namespace"); ns != "" {
		n, _, _ := unstructured.NestedString(o, "spec", "claimRef", "name")
		facts = append(facts, p.T("describe.claimed_by", "Claim", ns+"/"+n))
	}
	return facts
}

func describeNode(p *locale.Printer, o map[string]any) []string {
	var facts []string
	conds, _, _ := unstructured.NestedSlice(o, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] == "Ready" {
			if m["status"] == "True" {
				facts = append(facts, "Ready")
			} else {
				facts = append(facts, "NotReady")
			}
		}
	}
	if u, _, _ := unstructured.NestedBool(o, "spec", "unschedulable"); u {
		facts = append(facts, p.T("describe.cordoned"))
	}
	if taints, _, _ := unstructured.NestedSlice(o, "spec", "taints"); len(taints) > 0 {
		var ts []string
		for _, t := range taints {
			m, _ := t.(map[string]any)
			ts = append(ts, fmt.Sprintf("%v:%v", m["key"], m["effect"]))
		}
		facts = append(facts, p.T("describe.taints", "Taints", strings.Join(ts, ", ")))
	}
	return facts
}

func describeKeys(field string) func(*locale.Printer, map[string]any) []string {
	return func(p *locale.Printer, o map[string]any) []string {
		m, _, _ := unstructured.NestedMap(o, field)
		if len(m) == 0 {
			return []string{p.T("describe.no_field", "Field", field)}
		}
		var facts []string
		for k, v := range m {
			facts = append(facts, fmt.Sprintf("%s=%s", k, showValue(fmt.Sprint(v), 40)))
		}
		sort.Strings(facts)
		return facts
	}
}

// showValue shows a value a learner typed so that what tells it apart is
// visible: quoted when it has a newline, a tab or spaces at either end
// ("a\n" is not "a", and a verdict must not print both as a).
func showValue(v string, n int) string {
	if v != strings.TrimSpace(v) || strings.ContainsAny(v, "\n\t\r") {
		q := strconv.Quote(v)
		if len([]rune(q)) > n+2 {
			q = string([]rune(q)[:n]) + "…\""
		}
		return q
	}
	return shorten(v, n)
}

func describeSecret(p *locale.Printer, o map[string]any) []string {
	typ, _, _ := unstructured.NestedString(o, "type")
	m, _, _ := unstructured.NestedMap(o, "data")
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return []string{p.T("describe.secret", "Type", typ, "Keys", strings.Join(keys, ", "))}
}

func describeJob(p *locale.Printer, o map[string]any) []string {
	s, _, _ := unstructured.NestedInt64(o, "status", "succeeded")
	f, _, _ := unstructured.NestedInt64(o, "status", "failed")
	return []string{p.T("describe.job", "Succeeded", s, "Failed", f)}
}

func describeIngress(p *locale.Printer, o map[string]any) []string {
	var facts []string
	if c, _, _ := unstructured.NestedString(o, "spec", "ingressClassName"); c != "" {
		facts = append(facts, p.T("describe.class", "Class", c))
	}
	rules, _, _ := unstructured.NestedSlice(o, "spec", "rules")
	for _, r := range rules {
		m, _ := r.(map[string]any)
		host, _ := m["host"].(string)
		paths, _, _ := unstructured.NestedSlice(m, "http", "paths")
		for _, pt := range paths {
			pm, _ := pt.(map[string]any)
			svc, _, _ := unstructured.NestedString(pm, "backend", "service", "name")
			port, _, _ := unstructured.NestedFieldNoCopy(pm, "backend", "service", "port", "number")
			if port == nil {
				port, _, _ = unstructured.NestedFieldNoCopy(pm, "backend", "service", "port", "name")
			}
			facts = append(facts, fmt.Sprintf("%s%v → %s:%v", host, pm["path"], svc, port))
		}
	}
	return facts
}

func describeNamespace(p *locale.Printer, o map[string]any) []string {
	phase, _, _ := unstructured.NestedString(o, "status", "phase")
	l, _, _ := unstructured.NestedStringMap(o, "metadata", "labels")
	delete(l, "kubernetes.io/metadata.name")
	if len(l) == 0 {
		return []string{phase}
	}
	return []string{phase, p.T("describe.labels", "Labels", labelString(l))}
}

func describeQuota(p *locale.Printer, o map[string]any) []string {
	hard, _, _ := unstructured.NestedStringMap(o, "spec", "hard")
	used, _, _ := unstructured.NestedStringMap(o, "status", "used")
	if len(hard) == 0 {
		return []string{p.T("describe.quota_empty")}
	}
	keys := make([]string, 0, len(hard))
	for k := range hard {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	limits := make([]string, len(keys))
	for i, k := range keys {
		limits[i] = k + ": " + hard[k]
		if u, ok := used[k]; ok {
			limits[i] = p.T("describe.quota_used", "Limit", limits[i], "Used", u)
		}
	}
	return []string{p.T("describe.quota", "Limits", strings.Join(limits, ", "))}
}

func describeLimitRange(p *locale.Printer, o map[string]any) []string {
	limits, _, _ := unstructured.NestedSlice(o, "spec", "limits")
	var facts []string
	for _, l := range limits {
		m, _ := l.(map[string]any)
		fact := fmt.Sprint(m["type"])
		for _, key := range []string{"default", "defaultRequest", "max", "min"} {
			if v, ok := m[key].(map[string]any); ok {
				fact += fmt.Sprintf(" %s %v", key, v)
			}
		}
		facts = append(facts, fact)
	}
	return facts
}

func describeNetworkPolicy(p *locale.Printer, o map[string]any) []string {
	sel, _, _ := unstructured.NestedStringMap(o, "spec", "podSelector", "matchLabels")
	target := p.T("describe.every_pod")
	if len(sel) > 0 {
		target = p.T("describe.pods_labelled", "Labels", labelString(sel))
	}
	types, _, _ := unstructured.NestedStringSlice(o, "spec", "policyTypes")
	in, _, _ := unstructured.NestedSlice(o, "spec", "ingress")
	eg, _, _ := unstructured.NestedSlice(o, "spec", "egress")
	return []string{p.T("describe.netpol", "Target", target, "Types", strings.Join(types, ","), "Ingress", len(in), "Egress", len(eg))}
}

func labelString(m map[string]string) string {
	parts := make([]string, 0, len(m))
	for k, v := range m {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

func firstOf(m map[string]any, keys ...string) any {
	for _, k := range keys {
		if v, ok := m[k]; ok && v != "" {
			return v
		}
	}
	return ""
}

func shorten(s string, n int) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\n", " "))
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
