package checker

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestDescribe: the one-line account of an object names what a learner
// would look at with kubectl get, and never a Secret's values.
func TestDescribe(t *testing.T) {
	tests := []struct {
		name  string
		obj   string
		facts []string
		never []string
	}{
		{"deployment mid-rollout", `{"kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.27"}]}}},"status":{"readyReplicas":1,"updatedReplicas":2}}`,
			[]string{"Deployment web", "1/3 ready", "2 updated", "image nginx:1.27"}, nil},
		{"deployment without replicas", `{"kind":"Deployment","metadata":{"name":"web"}}`, []string{"0/1 ready"}, nil},
		{"daemonset", `{"kind":"DaemonSet","metadata":{"name":"agent"},"status":{"desiredNumberScheduled":3,"numberReady":2}}`, []string{"DaemonSet agent: 2/3 ready"}, nil},
		{"pending pod with a reason", `{"kind":"Pod","metadata":{"name":"web"},"status":{"phase":"Pending","containerStatuses":[{"name":"web","state":{"waiting":{"reason":"ErrImagePull","message":"not found"}}}]}}`,
			[]string{"Pod web: Pending", "container web ErrImagePull not found"}, nil},
		{"pod creating", `{"kind":"Pod","metadata":{"name":"web"},"status":{"containerStatuses":[{"name":"web","state":{"waiting":{"reason":"ContainerCreating"}}}]}}`,
			[]string{"Pod web: Pending"}, []string{"ContainerCreating"}},
		{"running pod on a node", `{"kind":"Pod","metadata":{"name":"web"},"spec":{"nodeName":"n1","containers":[{"name":"a"},{"name":"b"}]},"status":{"phase":"Running","containerStatuses":[{"name":"a","ready":true},{"name":"b","ready":false}]}}`,
			[]string{"Running", "1/2 containers ready", "on node n1"}, nil},
		{"terminated container", `{"kind":"Pod","metadata":{"name":"job-x"},"status":{"phase":"Failed","containerStatuses":[{"name":"main","state":{"terminated":{"reason":"Error","exitCode":3}}}]}}`,
			[]string{"Failed", "container main terminated (Error, exit code 3)"}, nil},
		{"unschedulable pod", `{"kind":"Pod","metadata":{"name":"web"},"status":{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False","reason":"Unschedulable","message":"0/3 nodes are available"}]}}`,
			[]string{"not scheduled (Unschedulable: 0/3 nodes are available)"}, nil},
		{"evicted pod", `{"kind":"Pod","metadata":{"name":"web"},"status":{"phase":"Failed","reason":"Evicted"}}`, []string{"Failed, Evicted"}, nil},
		{"nodeport service", `{"kind":"Service","metadata":{"name":"web"},"spec":{"type":"NodePort","ports":[{"port":80,"targetPort":8080,"nodePort":30080}],"selector":{"app":"web"}}}`,
			[]string{"Service web: NodePort", "port 80→8080 (nodePort 30080)", "selector app=web"}, nil},
		{"headless service without selector", `{"kind":"Service","metadata":{"name":"db"},"spec":{"clusterIP":"None","ports":[{"port":5432,"targetPort":5432}]}}`,
			[]string{"headless ClusterIP", "port 5432", "no selector"}, []string{"→"}},
		{"load balancer waiting", `{"kind":"Service","metadata":{"name":"web"},"spec":{"type":"LoadBalancer"}}`, []string{"no external IP yet"}, nil},
		{"load balancer ready", `{"kind":"Service","metadata":{"name":"web"},"spec":{"type":"LoadBalancer"},"status":{"loadBalancer":{"ingress":[{"ip":"172.18.255.200"}]}}}`, []string{"external IP 172.18.255.200"}, nil},
		{"claim", `{"kind":"PersistentVolumeClaim","metadata":{"name":"data"},"spec":{"volumeName":"pv1","storageClassName":"","accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}},"status":{"phase":"Bound"}}`,
			[]string{"Bound", "volume pv1", `storageClassName ""`, "ReadWriteOnce", "requests 1Gi"}, nil},
		{"volume", `{"kind":"PersistentVolume","metadata":{"name":"pv1"},"spec":{"capacity":{"storage":"2Gi"},"accessModes":["ReadWriteMany"],"persistentVolumeReclaimPolicy":"Retain","claimRef":{"namespace":"kw-x","name":"data"}},"status":{"phase":"Bound"}}`,
			[]string{"Bound", "2Gi", "ReadWriteMany", "reclaim Retain", "claimed by kw-x/data"}, nil},
		{"cordoned tainted node", `{"kind":"Node","metadata":{"name":"n1"},"spec":{"unschedulable":true,"taints":[{"key":"dedicated","effect":"NoSchedule"}]},"status":{"conditions":[{"type":"Ready","status":"True"}]}}`,
			[]string{"Ready", "SchedulingDisabled (cordoned)", "taints dedicated:NoSchedule"}, nil},
		{"node not ready", `{"kind":"Node","metadata":{"name":"n1"},"status":{"conditions":[{"type":"Ready","status":"Unknown"}]}}`, []string{"NotReady"}, nil},
		{"configmap", `{"kind":"ConfigMap","metadata":{"name":"c"},"data":{"b":"2","a":"1"}}`, []string{"ConfigMap c: a=1, b=2"}, nil},
		{"empty configmap", `{"kind":"ConfigMap","metadata":{"name":"c"}}`, []string{"no data"}, nil},
		{"secret", `{"kind":"Secret","metadata":{"name":"s"},"type":"Opaque","data":{"password":"aHVudGVyMg==","user":"YWRtaW4="}}`,
			[]string{"type Opaque", "keys password, user (values hidden)"}, []string{"aHVudGVyMg==", "YWRtaW4="}},
		{"job", `{"kind":"Job","metadata":{"name":"j"},"status":{"succeeded":1,"failed":2}}`, []string{"1 succeeded, 2 failed"}, nil},
		{"ingress", `{"kind":"Ingress","metadata":{"name":"i"},"spec":{"ingressClassName":"traefik","rules":[{"host":"a.test","http":{"paths":[{"path":"/","backend":{"service":{"name":"web","port":{"number":80}}}}]}}]}}`,
			[]string{"class traefik", "a.test/ → web:80"}, nil},
		{"namespace with labels", `{"kind":"Namespace","metadata":{"name":"kw-a","labels":{"kubernetes.io/metadata.name":"kw-a","team":"a"}},"status":{"phase":"Active"}}`,
			[]string{"Active, labels team=a"}, []string{"metadata.name"}},
		{"a kind without describer", `{"kind":"Widget","metadata":{"name":"w"}}`, []string{"Widget w"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Decoded as the dynamic client decodes: integers as int64.
			u := &unstructured.Unstructured{}
			if err := u.UnmarshalJSON([]byte(tt.obj)); err != nil {
				t.Fatalf("test setup: %v", err)
			}
			got := describeIn(nil, u)
			for _, f := range tt.facts {
				if !strings.Contains(got, f) {
					t.Errorf("got %q, want it to contain %q", got, f)
				}
			}
			for _, n := range tt.never {
				if strings.Contains(got, n) {
					t.Errorf("got %q, want no %q in it", got, n)
				}
			}
		})
	}
}

// TestDescribeShowsTheDifference: a verdict that refuses a value shows
// what tells it apart from the expected one.
func TestDescribeShowsTheDifference(t *testing.T) {
	cm := &unstructured.Unstructured{Object: map[string]any{"kind": "ConfigMap", "metadata": map[string]any{"name": "greeting"},
		"data": map[string]any{"message": "hello\n", "plain": "hi", "padded": " x"}}}
	if got, want := describeIn(nil, cm), `ConfigMap greeting: message="hello\n", padded=" x", plain=hi`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	q := &unstructured.Unstructured{Object: map[string]any{"kind": "ResourceQuota", "metadata": map[string]any{"name": "pod-limit"},
		"spec":   map[string]any{"hard": map[string]any{"count/pods": "3", "requests.cpu": "1"}},
		"status": map[string]any{"used": map[string]any{"count/pods": "1"}}}}
	if got, want := describeIn(nil, q), "ResourceQuota pod-limit: hard count/pods: 3 (1 used), requests.cpu: 1"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
