package lessons_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/kworkbook/kworkbook/lessons"
)

// TestValidateSafety has one case per rule that keeps a lesson from
// touching what is not kworkbook's: what setup may make, what reset may
// delete, node changes, and input that used to crash the loader.
func TestValidateSafety(t *testing.T) {
	const spec, manifest = "lesson.yaml", "setup/web.yaml"
	const (
		specFile     = lessonDir + "/lesson.yaml"
		manifestFile = lessonDir + "/setup/web.yaml"
	)
	reset := func(yaml string) edit {
		return edit{spec, "failsAt: exists\n", "failsAt: exists\nscope: cluster\nreset:\n" + yaml}
	}
	clusterScope := edit{spec, "namespaces: [kw-test]\n", "namespaces: [kw-test]\nscope: cluster\n"}
	setupObject := func(yaml string) edit {
		return edit{manifest, "  name: settings\n", "  name: settings\n---\n" + yaml}
	}
	tests := []struct {
		name  string
		edits []edit
		want  []want
	}{
		// reset: delete:
		{"delete a PV named kw-", []edit{reset("  delete:\n    - {kind: PersistentVolume, name: kw-pv}\n")}, nil},
		{"delete a PV not named kw-", []edit{reset("  delete:\n    - {kind: pv, name: data}\n")},
			[]want{{specFile + ":19", `persistentvolume "data": only kw- PersistentVolumes`}}},
		{"delete a namespace by its short name", []edit{reset("  delete:\n    - {kind: ns, name: team-a}\n")},
			[]want{{specFile + ":19", `namespace "team-a": only kw-`}}},
		{"delete a namespace in lower case", []edit{reset("  delete:\n    - {kind: namespace, name: default}\n")},
			[]want{{specFile + ":19", `namespace "default"`}}},
		{"delete a cluster-scoped kind", []edit{reset("  delete:\n    - {kind: ClusterRoleBinding, name: kw-admin}\n")},
			[]want{{specFile + ":19", "ClusterRoleBinding is cluster-scoped"}}},
		{"delete a StorageClass by short name", []edit{reset("  delete:\n    - {kind: sc, name: kw-fast}\n")},
			[]want{{specFile + ":19", "StorageClass is cluster-scoped"}}},
		{"delete an unknown kind", []edit{reset("  delete:\n    - {kind: Widget, name: kw-w}\n")},
			[]want{{specFile + ":19", `does not know the kind "Widget"`}}},
		{"delete in a namespace not the lesson's", []edit{reset("  delete:\n    - {kind: ConfigMap, name: settings, namespace: kube-system}\n")},
			[]want{{specFile + ":19", `namespace "kube-system" is not this lesson's`}}},
		{"delete in the lesson's namespace", []edit{reset("  delete:\n    - {kind: cm, name: settings, namespace: kw-test}\n")}, nil},
		{"delete by a selector that matches everything", []edit{reset("  delete:\n    - {kind: PersistentVolume, selector: 'app!=web'}\n")},
			[]want{{specFile + ":19", `selector "app!=web" matches objects without any particular label`}}},
		{"delete by a narrow selector", []edit{reset("  delete:\n    - {kind: PersistentVolume, selector: app=web}\n")}, nil},
		{"node label key not kworkbook's", []edit{reset("  nodeLabels: [disktype]\n")},
			[]want{{specFile + ":1", `key "disktype": start it with kw-`}}},
		{"node taint key not kworkbook's", []edit{reset("  nodeTaints: [dedicated]\n")},
			[]want{{specFile + ":1", `key "dedicated"`}}},

		// setup manifests
		{"setup makes a ClusterRoleBinding", []edit{setupObject("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: kw-admin\n")},
			[]want{{manifestFile + ":7", "ClusterRoleBinding kw-admin is cluster-scoped"}}},
		{"setup makes a namespace by lower-case kind", []edit{setupObject("apiVersion: v1\nkind: namespace\nmetadata:\n  name: default\n")},
			[]want{{manifestFile + ":7", "Namespace default is cluster-scoped"}, {specFile + ":1", "declare scope: cluster (its exercises make Namespaces"}}},
		{"setup makes a StorageClass", []edit{setupObject("apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: standard\nprovisioner: x\n")},
			[]want{{manifestFile + ":7", "StorageClass standard is cluster-scoped"}}},
		{"setup makes a CRD", []edit{setupObject("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n")},
			[]want{{manifestFile + ":7", "CustomResourceDefinition widgets.example.com is cluster-scoped"}}},
		{"setup makes an object of an unknown kind", []edit{setupObject("apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n")},
			[]want{{manifestFile + ":7", "cannot tell whether kind Widget lives in a namespace"}}},
		{"setup makes an unknown kind in the lesson's namespace", []edit{setupObject("apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: kw-test\n")}, nil},
		{"setup makes a PV named kw-", []edit{clusterScope, setupObject("apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: kw-archive\n")}, nil},
		{"setup makes a PV without scope: cluster", []edit{setupObject("apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: kw-archive\n")},
			[]want{{specFile + ":1", "declare scope: cluster (it makes PersistentVolumes"}}},
		{"setup makes a PV not named kw-", []edit{clusterScope, setupObject("apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: archive\n")},
			[]want{{manifestFile + ":7", "PersistentVolume archive: name PersistentVolumes a lesson makes kw-"}}},
		{"setup makes the lesson's own namespace", []edit{setupObject("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kw-test\n")}, nil},

		// node changes
		{"a solution cordons without reset", []edit{clusterScope, {spec, `["kubectl run web --image=nginx:1.27 -n kw-test"]`, `["kubectl cordon kind-worker"]`}},
			[]want{{specFile + ":1", "the lesson changes nodes (" + specFile + ":12: kubectl cordon kind-worker) but reset: undoes no node change"}}},
		{"a near miss labels nodes without reset", []edit{clusterScope, {spec, `["kubectl run web --image=busybox:1.37 -n kw-test"]`, `["kubectl label nodes --all kw-gpu=yes"]`}},
			[]want{{specFile + ":1", "the lesson changes nodes"}}},
		{"a node change declared in reset", []edit{
			{spec, `["kubectl run web --image=nginx:1.27 -n kw-test"]`, `["kubectl taint node kind-worker kw-dedicated=x:NoSchedule"]`},
			reset("  nodeTaints: [kw-dedicated]\n")}, nil},

		// alternatives
		{"an alternative", []edit{{spec, "    nearMisses:\n", "    alternatives:\n      - name: with a label\n        commands: [\"kubectl run web --image=nginx:1.27 -l tier=web -n kw-test\"]\n    nearMisses:\n"}}, nil},
		{"an alternative with failsAt", []edit{{spec, "    nearMisses:\n", "    alternatives:\n      - name: x\n        commands: [kubectl get pods]\n        failsAt: exists\n    nearMisses:\n"}},
			[]want{{specFile + ":13", `alternative "x": failsAt: is for near misses`}}},
		{"an alternative with nothing to do", []edit{{spec, "    nearMisses:\n", "    alternatives:\n      - name: x\n    nearMisses:\n"}},
			[]want{{specFile + ":13", `alternative "x": give manifests: or commands:`}}},
		{"an alternative with an unpinned image", []edit{{spec, "    nearMisses:\n", "    alternatives:\n      - name: x\n        commands: [\"kubectl run web --image=nginx -n kw-test\"]\n    nearMisses:\n"}},
			[]want{{specFile + ":13", `image "nginx" must have a pinned tag`}}},

		// input that used to panic
		{"an exercise that is null", []edit{{spec, "exercises:\n", "exercises:\n  - null\n"}},
			[]want{{specFile + ":1", "exercises: an empty item (null)"}}},
		{"a check that is null", []edit{{spec, "    checks:\n", "    checks:\n      -\n"}},
			[]want{{specFile + ":5", `exercise "one": checks: an empty item`}}},
		{"a near miss that is null", []edit{{spec, "    nearMisses:\n", "    nearMisses:\n      - null\n"}},
			[]want{{specFile + ":5", `exercise "one": nearMisses: an empty item`}}},
		{"only null exercises", []edit{{spec, spec0Exercises, "exercises: [null, null]\n"}},
			[]want{{specFile + ":1", "exercises: an empty item"}, {specFile + ":1", "exercises: an empty item"},
				{lessonDir + "/README.md:13", `exercise "one" is not in lesson.yaml`}, {specFile, "no exercises"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"README.md": baseReadme, spec: baseSpec, manifest: baseManifest}
			for _, e := range tt.edits {
				files[e.file] = replace(t, files[e.file], e.old, e.new)
			}
			_, probs := problemsOf(t, lessonFS(files))
			assertProblems(t, probs, tt.want)
		})
	}
}

func TestNodeChangesFound(t *testing.T) {
	for cmd, want := range map[string]bool{
		"kubectl cordon kind-worker":                        true,
		"kubectl drain kind-worker --ignore-daemonsets":     true,
		"kubectl uncordon kind-worker":                      true,
		"kubectl label nodes --all kw-gpu=yes":              true,
		"kubectl label node kind-worker kw-disk=ssd":        true,
		"kubectl taint no kind-worker kw-x=y:NoSchedule":    true,
		"kubectl label node/kind-worker kw-disk-":           true,
		"kubectl --context x delete node kind-worker2":      true,
		"kubectl get nodes":                                 false,
		"kubectl label pod web node=kind-worker -n kw-a":    false,
		"kubectl run web --image=nginx:1.27 -n kw-nodes":    false,
		"kubectl get nodes -o wide | grep worker; echo ok":  false,
		"kubectl describe node kind-worker | grep -i taint": false,
	} {
		if got := lessons.ChangesNodesCommand(cmd); got != want {
			t.Errorf("%q: got %v, want %v", cmd, got, want)
		}
	}
}

func TestSecretProbeWarning(t *testing.T) {
	probe := "      - exec: {pod: web, command: [cat, /etc/creds/password]}\n        expect: {contains: [x]}\n"
	withSecretMount := strings.Replace(baseManifest, "  - name: web\n    image: nginx:1.27\n",
		"  - name: web\n    image: nginx:1.27\n    volumeMounts: [{name: creds, mountPath: /etc/creds}]\n  volumes:\n  - name: creds\n    secret: {secretName: db}\n", 1)
	for name, tt := range map[string]struct {
		manifest, check string
		warn            bool
	}{
		"reads a mounted Secret":         {withSecretMount, probe, true},
		"marked secret":                  {withSecretMount, strings.Replace(probe, "contains: [x]", "contains: [x], secret: true", 1), false},
		"names a secret":                 {baseManifest, "      - exec: {pod: web, command: [kubectl, get, secret]}\n        expect: {exitCode: 0}\n", true},
		"reads a file that is no secret": {baseManifest, probe, false},
	} {
		t.Run(name, func(t *testing.T) {
			spec := strings.Replace(baseSpec, "    checks:\n", "    checks:\n"+tt.check, 1)
			cat, probs := problemsOf(t, lessonFS(map[string]string{"lesson.yaml": spec, "setup/web.yaml": tt.manifest}))
			if len(probs) > 0 {
				t.Fatalf("got problems:%s\nwant none (a warning is not one)", problemLines(probs))
			}
			got := len(cat.Warnings) == 1 && strings.Contains(cat.Warnings[0].String(), "warning: exec:") &&
				strings.Contains(cat.Warnings[0].Message, "secret: true")
			if got != tt.warn {
				t.Errorf("got warnings %v, want a secret warning: %v", cat.Warnings, tt.warn)
			}
		})
	}
}

// TestLessonFileLimits: a lessons folder may hold anything; files that are
// not regular (a link to /dev/zero) or too large are problems, not an
// endless read.
func TestLessonFileLimits(t *testing.T) {
	big := fstest.MapFS{}
	for name, f := range lessonFS(nil) {
		big[name] = f
	}
	big[lessonDir+"/setup/web.yaml"] = &fstest.MapFile{Data: []byte(strings.Repeat("# padding\n", lessons.MaxFileSize/10+1))}
	_, probs := problemsOf(t, big)
	assertProblems(t, probs, []want{{lessonDir + "/lesson.yaml:3", "file too large"}})

	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	dir := t.TempDir()
	for name, f := range lessonFS(nil) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"setup/web.yaml", "README.md"} {
		p := filepath.Join(dir, lessonDir, name)
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("/dev/zero", p); err != nil {
			t.Skip(err)
		}
	}
	_, err := lessons.Load(os.DirFS(dir), dir)
	var pe *lessons.ProblemsError
	if !errors.As(err, &pe) || len(pe.Problems) != 1 || !strings.Contains(pe.Problems[0].Message, "not a regular file") {
		t.Fatalf("got %v, want README.md refused as not a regular file", err)
	}
	if _, err := lessons.ReadFile(os.DirFS(dir), lessonDir+"/setup/web.yaml"); !errors.Is(err, lessons.ErrNotRegular) {
		t.Errorf("got %v, want ErrNotRegular", err)
	}
}
