package checker

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// describe says in one line what matters about an object, for verdicts:
// the state a learner would look at with kubectl get. Secret values never appear.
func describe(u *unstructured.Unstructured) string {
	name := u.GetKind() + " " + u.GetName()
	if d := describers[u.GetKind()]; d != nil {
		if s := d(u.Object); s != "" {
			return name + ": " + s
		}
	}
	return name
}

var describers = map[string]func(map[string]any) string{
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

func describeQuota(o map[string]any) string {
	hard, _, _ := unstructured.NestedStringMap(o, "spec", "hard")
	used, _, _ := unstructured.NestedStringMap(o, "status", "used")
	if len(hard) == 0 {
		return "no limits (spec.hard is empty)"
	}
	keys := make([]string, 0, len(hard))
	for k := range hard {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %s", k, hard[k])
		if u, ok := used[k]; ok {
			parts[i] += fmt.Sprintf(" (%s used)", u)
		}
	}
	return "hard " + strings.Join(parts, ", ")
}

func describeLimitRange(o map[string]any) string {
	limits, _, _ := unstructured.NestedSlice(o, "spec", "limits")
	var parts []string
	for _, l := range limits {
		m, _ := l.(map[string]any)
		part := fmt.Sprint(m["type"])
		for _, key := range []string{"default", "defaultRequest", "max", "min"} {
			if v, ok := m[key].(map[string]any); ok {
				part += fmt.Sprintf(" %s %v", key, v)
			}
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, "; ")
}

func describeNetworkPolicy(o map[string]any) string {
	sel, _, _ := unstructured.NestedStringMap(o, "spec", "podSelector", "matchLabels")
	target := "every pod"
	if len(sel) > 0 {
		target = "pods " + labelString(sel)
	}
	types, _, _ := unstructured.NestedStringSlice(o, "spec", "policyTypes")
	in, _, _ := unstructured.NestedSlice(o, "spec", "ingress")
	eg, _, _ := unstructured.NestedSlice(o, "spec", "egress")
	return fmt.Sprintf("selects %s, types %s, %d ingress and %d egress rules", target, strings.Join(types, ","), len(in), len(eg))
}

func describeWorkload(o map[string]any) string {
	want, ok, _ := unstructured.NestedInt64(o, "spec", "replicas")
	if !ok {
		want = 1
	}
	ready, _, _ := unstructured.NestedInt64(o, "status", "readyReplicas")
	parts := []string{fmt.Sprintf("%d/%d ready", ready, want)}
	if upd, ok, _ := unstructured.NestedInt64(o, "status", "updatedReplicas"); ok && upd != want {
		parts = append(parts, fmt.Sprintf("%d updated", upd))
	}
	if imgs := images(o, "spec", "template", "spec"); imgs != "" {
		parts = append(parts, "image "+imgs)
	}
	return strings.Join(parts, ", ")
}

func describeDaemonSet(o map[string]any) string {
	want, _, _ := unstructured.NestedInt64(o, "status", "desiredNumberScheduled")
	ready, _, _ := unstructured.NestedInt64(o, "status", "numberReady")
	return fmt.Sprintf("%d/%d ready", ready, want)
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

func describePod(o map[string]any) string {
	phase, _, _ := unstructured.NestedString(o, "status", "phase")
	if phase == "" {
		phase = "Pending"
	}
	parts := []string{phase}
	statuses, _, _ := unstructured.NestedSlice(o, "status", "containerStatuses")
	ready := 0
	for _, s := range statuses {
		m, _ := s.(map[string]any)
		if r, _ := m["ready"].(bool); r {
			ready++
		}
		if reason := containerReason(m); reason != "" {
			parts = append(parts, reason)
		}
	}
	specCs, _, _ := unstructured.NestedSlice(o, "spec", "containers")
	if phase == "Running" {
		parts = append(parts, fmt.Sprintf("%d/%d containers ready", ready, len(specCs)))
	}
	if node, _, _ := unstructured.NestedString(o, "spec", "nodeName"); node != "" {
		parts = append(parts, "on node "+node)
	}
	conds, _, _ := unstructured.NestedSlice(o, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] == "PodScheduled" && m["status"] == "False" {
			parts = append(parts, fmt.Sprintf("not scheduled (%v: %v)", m["reason"], m["message"]))
		}
	}
	if reason, _, _ := unstructured.NestedString(o, "status", "reason"); reason != "" {
		parts = append(parts, reason)
	}
	return strings.Join(parts, ", ")
}

// containerReason names what a container is stuck on or why it ended.
func containerReason(m map[string]any) string {
	name, _ := m["name"].(string)
	if w, ok, _ := unstructured.NestedMap(m, "state", "waiting"); ok {
		r, _ := w["reason"].(string)
		if r != "" && r != "ContainerCreating" && r != "PodInitializing" {
			msg, _ := w["message"].(string)
			return strings.TrimSpace(fmt.Sprintf("container %s %s %s", name, r, shorten(msg, 120)))
		}
	}
	if t, ok, _ := unstructured.NestedMap(m, "state", "terminated"); ok {
		r, _ := t["reason"].(string)
		code, _ := number(t["exitCode"])
		return fmt.Sprintf("container %s terminated (%s, exit code %g)", name, r, code)
	}
	return ""
}

func describeService(o map[string]any) string {
	typ, _, _ := unstructured.NestedString(o, "spec", "type")
	if typ == "" {
		typ = "ClusterIP"
	}
	parts := []string{typ}
	if ip, _, _ := unstructured.NestedString(o, "spec", "clusterIP"); ip == "None" {
		parts[0] = "headless " + typ
	}
	ports, _, _ := unstructured.NestedSlice(o, "spec", "ports")
	var ps []string
	for _, p := range ports {
		m, _ := p.(map[string]any)
		s := fmt.Sprintf("%v", m["port"])
		if tp, ok := m["targetPort"]; ok && fmt.Sprint(tp) != fmt.Sprint(m["port"]) {
			s += fmt.Sprintf("→%v", tp)
		}
		if np, ok := m["nodePort"]; ok {
			s += fmt.Sprintf(" (nodePort %v)", np)
		}
		ps = append(ps, s)
	}
	if len(ps) > 0 {
		parts = append(parts, "port "+strings.Join(ps, ", "))
	}
	if sel, _, _ := unstructured.NestedStringMap(o, "spec", "selector"); len(sel) > 0 {
		parts = append(parts, "selector "+labelString(sel))
	} else {
		parts = append(parts, "no selector")
	}
	if ing, _, _ := unstructured.NestedSlice(o, "status", "loadBalancer", "ingress"); len(ing) > 0 {
		m, _ := ing[0].(map[string]any)
		parts = append(parts, fmt.Sprintf("external IP %v", firstOf(m, "ip", "hostname")))
	} else if typ == "LoadBalancer" {
		parts = append(parts, "no external IP yet")
	}
	return strings.Join(parts, ", ")
}

func describePVC(o map[string]any) string {
	phase, _, _ := unstructured.NestedString(o, "status", "phase")
	parts := []string{phase}
	if v, _, _ := unstructured.NestedString(o, "spec", "volumeName"); v != "" {
		parts = append(parts, "volume "+v)
	}
	if sc, ok, _ := unstructured.NestedString(o, "spec", "storageClassName"); ok {
		parts = append(parts, fmt.Sprintf("storageClassName %q", sc))
	}
	if m, _, _ := unstructured.NestedStringSlice(o, "spec", "accessModes"); len(m) > 0 {
		parts = append(parts, strings.Join(m, ","))
	}
	if s, _, _ := unstructured.NestedString(o, "spec", "resources", "requests", "storage"); s != "" {
		parts = append(parts, "requests "+s)
	}
	return strings.Join(parts, ", ")
}

func describePV(o map[string]any) string {
	phase, _, _ := unstructured.NestedString(o, "status", "phase")
	parts := []string{phase}
	if s, _, _ := unstructured.NestedString(o, "spec", "capacity", "storage"); s != "" {
		parts = append(parts, s)
	}
	if m, _, _ := unstructured.NestedStringSlice(o, "spec", "accessModes"); len(m) > 0 {
		parts = append(parts, strings.Join(m, ","))
	}
	if r, _, _ := unstructured.NestedString(o, "spec", "persistentVolumeReclaimPolicy"); r != "" {
		parts = append(parts, "reclaim "+r)
	}
	if ns, _, _ := unstructured.NestedString(o, "spec", "claimRef", "namespace"); ns != "" {
		n, _, _ := unstructured.NestedString(o, "spec", "claimRef", "name")
		parts = append(parts, "claimed by "+ns+"/"+n)
	}
	return strings.Join(parts, ", ")
}

func describeNode(o map[string]any) string {
	var parts []string
	conds, _, _ := unstructured.NestedSlice(o, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] == "Ready" {
			if m["status"] == "True" {
				parts = append(parts, "Ready")
			} else {
				parts = append(parts, "NotReady")
			}
		}
	}
	if u, _, _ := unstructured.NestedBool(o, "spec", "unschedulable"); u {
		parts = append(parts, "SchedulingDisabled (cordoned)")
	}
	if taints, _, _ := unstructured.NestedSlice(o, "spec", "taints"); len(taints) > 0 {
		var ts []string
		for _, t := range taints {
			m, _ := t.(map[string]any)
			ts = append(ts, fmt.Sprintf("%v:%v", m["key"], m["effect"]))
		}
		parts = append(parts, "taints "+strings.Join(ts, ", "))
	}
	return strings.Join(parts, ", ")
}

func describeKeys(field string) func(map[string]any) string {
	return func(o map[string]any) string {
		m, _, _ := unstructured.NestedMap(o, field)
		if len(m) == 0 {
			return "no " + field
		}
		var parts []string
		for k, v := range m {
			parts = append(parts, fmt.Sprintf("%s=%s", k, showValue(fmt.Sprint(v), 40)))
		}
		sort.Strings(parts)
		return strings.Join(parts, ", ")
	}
}

func describeSecret(o map[string]any) string {
	typ, _, _ := unstructured.NestedString(o, "type")
	m, _, _ := unstructured.NestedMap(o, "data")
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return fmt.Sprintf("type %s, keys %s (values hidden)", typ, strings.Join(keys, ", "))
}

func describeJob(o map[string]any) string {
	s, _, _ := unstructured.NestedInt64(o, "status", "succeeded")
	f, _, _ := unstructured.NestedInt64(o, "status", "failed")
	return fmt.Sprintf("%d succeeded, %d failed", s, f)
}

func describeIngress(o map[string]any) string {
	var parts []string
	if c, _, _ := unstructured.NestedString(o, "spec", "ingressClassName"); c != "" {
		parts = append(parts, "class "+c)
	}
	rules, _, _ := unstructured.NestedSlice(o, "spec", "rules")
	for _, r := range rules {
		m, _ := r.(map[string]any)
		host, _ := m["host"].(string)
		paths, _, _ := unstructured.NestedSlice(m, "http", "paths")
		for _, p := range paths {
			pm, _ := p.(map[string]any)
			svc, _, _ := unstructured.NestedString(pm, "backend", "service", "name")
			port, _, _ := unstructured.NestedFieldNoCopy(pm, "backend", "service", "port", "number")
			parts = append(parts, fmt.Sprintf("%s%v → %s:%v", host, pm["path"], svc, port))
		}
	}
	return strings.Join(parts, ", ")
}

func describeNamespace(o map[string]any) string {
	phase, _, _ := unstructured.NestedString(o, "status", "phase")
	l, _, _ := unstructured.NestedStringMap(o, "metadata", "labels")
	delete(l, "kubernetes.io/metadata.name")
	if len(l) == 0 {
		return phase
	}
	return phase + ", labels " + labelString(l)
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
