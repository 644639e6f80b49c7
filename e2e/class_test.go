package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kworkbook/kworkbook/sandbox"
)

// TestClassroom runs a class of 30 on kworkbook's cluster, as a teacher
// would with --context: class up (twice: the second changes nothing),
// students kept apart (rights and network) and held by their quota, three
// students doing lesson 05 three ways and class grade telling them apart,
// then class down leaving the cluster as it was.
func TestClassroom(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var ids []string
	for i := 1; i <= 30; i++ {
		ids = append(ids, fmt.Sprintf("s%02d", i))
	}
	roster := filepath.Join(dir, "roster.txt")
	if err := os.WriteFile(roster, []byte("# a class of 30\n"+strings.Join(ids, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "kubeconfigs")
	teacher := func(args ...string) result {
		// class down waits for 330 namespaces to go, which takes minutes
		// on a busy cluster (up to its --wait, 15 minutes).
		return kworkbookWithin(t, 20*time.Minute, nil, append([]string{"--context", sandbox.ContextName(), "--yes"}, args...)...)
	}
	before := clusterInventory(t)

	start := time.Now()
	expect(t, teacher("class", "up", "--roster", roster, "--out", out), 0, "30 students ready (30 new)")
	t.Logf("class up, 30 students: %.1fs", time.Since(start).Seconds())
	t.Cleanup(func() { teacher("class", "down") })

	versions := classVersions(t)
	start = time.Now()
	expect(t, teacher("class", "up", "--roster", roster, "--out", out), 0, "30 students ready (0 new)")
	t.Logf("class up again: %.1fs", time.Since(start).Seconds())
	if again := classVersions(t); !equalMaps(versions, again) {
		t.Errorf("the second class up changed objects:\n%s", mapDiff(versions, again))
	}
	expect(t, teacher("class", "status", "--out", out), 0, "s01", "s30", "31000-31009")

	t.Run("isolation", func(t *testing.T) { classIsolation(t, out, ids) })
	t.Run("network", func(t *testing.T) { classNetwork(t) })
	t.Run("quota", func(t *testing.T) { classQuota(t, out) })
	t.Run("grade", func(t *testing.T) { classGrade(t, out, teacher) })

	expect(t, teacher("class", "down"), 0, "Removed the class")
	if after := clusterInventory(t); !slices.Equal(before, after) {
		t.Errorf("class down left the cluster different from before class up:\n%s", listDiff(before, after))
	}
	_ = ctx
}

// as runs kubectl with a student's kubeconfig; it returns the output and
// whether kubectl succeeded.
func as(t *testing.T, out, id string, args ...string) (string, bool) {
	t.Helper()
	cmd := exec.Command("kubectl", append([]string{"--kubeconfig", filepath.Join(out, id+".kubeconfig")}, args...)...)
	b, err := cmd.CombinedOutput()
	return string(b), err == nil
}

// classIsolation tries, with every student's kubeconfig, what that student
// may do in their own namespaces and what they may not do in another's or
// the cluster's.
func classIsolation(t *testing.T, out string, ids []string) {
	for i, a := range ids {
		b := ids[(i+1)%len(ids)]
		if o, ok := as(t, out, a, "get", "pods", "-n", "kw-"+a+"-deploy"); !ok {
			t.Errorf("%s cannot list pods in their own namespace: %s", a, o)
		}
		for _, res := range []string{"pods", "secrets", "configmaps"} {
			if o, ok := as(t, out, a, "get", res, "-n", "kw-"+b+"-deploy"); ok || !strings.Contains(o, "forbidden") {
				t.Errorf("%s could list %s of %s: %s", a, res, b, o)
			}
		}
		if i >= 3 {
			continue // the costlier tries on a few students
		}
		tries := [][]string{
			{"create", "configmap", "x", "-n", "kw-" + b + "-deploy"},
			{"delete", "service", "web", "-n", "kw-" + b + "-deploy"},
			{"get", "secrets", "-n", "kube-system"},
			{"get", "secrets", "-A"},
			{"create", "namespace", "kw-" + a + "-extra"},
			{"create", "clusterrole", "x", "--verb=get", "--resource=pods"},
			{"create", "clusterrolebinding", "x", "--clusterrole=cluster-admin", "--serviceaccount=kw-" + a + ":student"},
			{"create", "rolebinding", "x", "--clusterrole=admin", "--serviceaccount=kw-" + a + ":student", "-n", "kw-" + b + "-deploy"},
			{"get", "pods", "-n", "kw-" + b + "-deploy", "--as", "system:serviceaccount:kw-" + b + ":student"},
			{"auth", "can-i", "create", "pods/exec", "-n", "kw-" + b + "-deploy"},
		}
		for _, try := range tries {
			if o, ok := as(t, out, a, try...); ok && !strings.HasPrefix(strings.TrimSpace(o), "no") {
				t.Errorf("%s could %s: %s", a, strings.Join(try, " "), o)
			}
		}
	}
}

// classNetwork: a pod of one student cannot reach a pod of another, and
// reaches a pod in another namespace of its own.
func classNetwork(t *testing.T) {
	kubectl(t, "run", "web", "--image=nginx:1.27", "-n", "kw-s01-first", "--labels=app=web")
	kubectl(t, "run", "client", "--image=busybox:1.37", "-n", "kw-s01-deploy", "--", "sleep", "3600")
	kubectl(t, "run", "client", "--image=busybox:1.37", "-n", "kw-s02-deploy", "--", "sleep", "3600")
	kubectl(t, "wait", "--for=condition=Ready", "pod/web", "-n", "kw-s01-first", "--timeout=120s")
	kubectl(t, "wait", "--for=condition=Ready", "pod/client", "-n", "kw-s01-deploy", "--timeout=120s")
	kubectl(t, "wait", "--for=condition=Ready", "pod/client", "-n", "kw-s02-deploy", "--timeout=120s")
	ip := strings.TrimSpace(kubectl(t, "get", "pod", "web", "-n", "kw-s01-first", "-o", "jsonpath={.status.podIP}"))
	get := func(ns string) bool {
		cmd := exec.Command("kubectl", "--context", sandbox.ContextName(), "exec", "client", "-n", ns, "--",
			"wget", "-q", "-O", "-", "-T", "3", "-t", "1", "http://"+ip+"/")
		o, err := cmd.CombinedOutput()
		t.Logf("from %s: %s", ns, o)
		return err == nil && strings.Contains(string(o), "nginx")
	}
	deadline := time.Now().Add(30 * time.Second)
	for !get("kw-s01-deploy") {
		if time.Now().After(deadline) {
			t.Fatal("a student's pod cannot reach a pod in another namespace of their own")
		}
		time.Sleep(time.Second)
	}
	// The network plugin programs policies asynchronously (kube-router
	// resyncs all 330 of a 30-student class), so a pod that has just
	// started may be reachable for a few seconds: the isolation must take
	// hold, and then hold.
	start := time.Now()
	deadline = start.Add(60 * time.Second)
	for get("kw-s02-deploy") {
		if time.Now().After(deadline) {
			t.Fatal("a pod of student s02 still reaches a pod of student s01 after 60 s")
		}
		time.Sleep(time.Second)
	}
	t.Logf("isolation held %.1fs after the pods were ready", time.Since(start).Seconds())
	for i := 0; i < 3; i++ {
		if get("kw-s02-deploy") {
			t.Fatal("a pod of student s02 reached a pod of student s01 after the isolation had held")
		}
	}
}

// classQuota: a Deployment of 100 replicas stops at the namespace's quota.
func classQuota(t *testing.T, out string) {
	if o, ok := as(t, out, "s03", "create", "deployment", "big", "--image=busybox:1.37", "--replicas=100", "-n", "kw-s03-deploy", "--", "sleep", "3600"); !ok {
		t.Fatalf("could not create the deployment: %s", o)
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		pods, _ := as(t, out, "s03", "get", "pods", "-n", "kw-s03-deploy", "-l", "app=big", "-o", "name")
		n := len(strings.Fields(pods))
		events, _ := as(t, out, "s03", "get", "events", "-n", "kw-s03-deploy", "--field-selector", "reason=FailedCreate")
		if strings.Contains(events, "exceeded quota") {
			if n > 20 {
				t.Errorf("got %d pods, want at most the quota's 20", n)
			}
			t.Logf("the quota stopped the deployment at %d pods", n)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no quota refusal after 90s (%d pods)", n)
		}
		time.Sleep(2 * time.Second)
	}
}

// classGrade: three students do lesson 05 three ways; class grade sees it.
func classGrade(t *testing.T, out string, teacher func(...string) result) {
	student := func(id string, args ...string) result {
		return kworkbook(t, []string{"KUBECONFIG=" + filepath.Join(out, id+".kubeconfig"), "KWORKBOOK_CONTEXT="},
			append([]string{"--yes"}, args...)...)
	}
	for _, id := range []string{"s01", "s02", "s03"} {
		expect(t, student(id, "start", "05", "--no-pager"), 0, "kw-"+id+"-deploy")
	}
	expect(t, student("s01", "solve", "05"), 0)
	expect(t, student("s02", "solve", "05", "create"), 0)
	expect(t, student("s02", "solve", "05", "scale"), 0)
	nearMiss, err := os.ReadFile("../lessons/content/05-deployments/nearmiss/web-2-replicas.yaml")
	if err != nil {
		t.Fatal(err)
	}
	apply := exec.Command("kubectl", "--kubeconfig", filepath.Join(out, "s03.kubeconfig"), "apply", "-f", "-")
	apply.Stdin = strings.NewReader(strings.ReplaceAll(string(nearMiss), "kw-deploy", "kw-s03-deploy"))
	if o, err := apply.CombinedOutput(); err != nil {
		t.Fatalf("near miss: %v\n%s", err, o)
	}
	expect(t, student("s02", "check", "05"), 1, "2 of 5 passed")

	start := time.Now()
	r := teacher("class", "grade", "05", "-o", "json")
	t.Logf("class grade 05, 30 students: %.1fs", time.Since(start).Seconds())
	if r.code != 1 {
		t.Errorf("got exit %d, want 1 (some exercises fail)", r.code)
	}
	var rep struct {
		Students []struct {
			ID      string `json:"id"`
			Lessons []struct {
				Exercises []struct {
					ID     string `json:"id"`
					Status string `json:"status"`
				} `json:"exercises"`
			} `json:"lessons"`
		} `json:"students"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if len(rep.Students) != 30 {
		t.Fatalf("got %d students graded, want 30", len(rep.Students))
	}
	passed := map[string][]string{}
	for _, s := range rep.Students {
		for _, l := range s.Lessons {
			for _, e := range l.Exercises {
				if e.Status == "pass" {
					passed[s.ID] = append(passed[s.ID], e.ID)
				}
			}
		}
	}
	want := map[string][]string{"s01": {"create", "scale", "strategy", "update", "rollback"}, "s02": {"create", "scale"}}
	for _, s := range rep.Students {
		if !slices.Equal(passed[s.ID], want[s.ID]) {
			t.Errorf("%s: got %v passed, want %v", s.ID, passed[s.ID], want[s.ID])
		}
	}
}

// clusterInventory lists what class down must leave as it found it.
func clusterInventory(t *testing.T) []string {
	t.Helper()
	var out []string
	c := suite.clients.Typed
	nss, err := c.CoreV1().Namespaces().List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nss.Items {
		out = append(out, "namespace/"+n.Name)
	}
	crbs, err := c.RbacV1().ClusterRoleBindings().List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range crbs.Items {
		out = append(out, "clusterrolebinding/"+b.Name)
	}
	crs, err := c.RbacV1().ClusterRoles().List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range crs.Items {
		out = append(out, "clusterrole/"+r.Name)
	}
	sas, err := c.CoreV1().ServiceAccounts("").List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sas.Items {
		out = append(out, "serviceaccount/"+s.Namespace+"/"+s.Name)
	}
	slices.Sort(out)
	// Lessons proved meanwhile come and go in their own namespaces.
	return slices.DeleteFunc(out, func(s string) bool {
		return strings.HasPrefix(s, "namespace/kw-") && !strings.HasPrefix(s, "namespace/kw-s") ||
			strings.HasPrefix(s, "serviceaccount/kw-") && !strings.HasPrefix(s, "serviceaccount/kw-s")
	})
}

// classVersions are the resource versions of everything the class is made of.
func classVersions(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	sel := metav1.ListOptions{LabelSelector: "kworkbook.dev/classroom=true"}
	c := suite.clients.Typed
	ctx := context.Background()
	nss, err := c.CoreV1().Namespaces().List(ctx, sel)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nss.Items {
		out["ns/"+n.Name] = n.ResourceVersion
		rbs, _ := c.RbacV1().RoleBindings(n.Name).List(ctx, sel)
		for _, o := range rbs.Items {
			out["rb/"+n.Name+"/"+o.Name] = o.ResourceVersion
		}
		qs, _ := c.CoreV1().ResourceQuotas(n.Name).List(ctx, sel)
		for _, o := range qs.Items {
			out["quota/"+n.Name+"/"+o.Name] = fmt.Sprint(o.Generation)
		}
		nps, _ := c.NetworkingV1().NetworkPolicies(n.Name).List(ctx, sel)
		for _, o := range nps.Items {
			out["netpol/"+n.Name+"/"+o.Name] = o.ResourceVersion
		}
	}
	crbs, _ := c.RbacV1().ClusterRoleBindings().List(ctx, sel)
	for _, o := range crbs.Items {
		out["crb/"+o.Name] = o.ResourceVersion
	}
	return out
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func mapDiff(a, b map[string]string) string {
	var out []string
	for k, v := range a {
		if b[k] != v {
			out = append(out, fmt.Sprintf("%s: %s → %s", k, v, b[k]))
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, "new: "+k)
		}
	}
	slices.Sort(out)
	if len(out) > 20 {
		out = append(out[:20], fmt.Sprintf("… %d more", len(out)-20))
	}
	return strings.Join(out, "\n")
}

func listDiff(a, b []string) string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, "- "+s)
		}
	}
	for _, s := range b {
		if !slices.Contains(a, s) {
			out = append(out, "+ "+s)
		}
	}
	return strings.Join(out, "\n")
}
