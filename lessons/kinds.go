package lessons

import "strings"

// KindInfo is what lint knows about a kind without a cluster: its
// canonical name and whether its objects live in a namespace.
type KindInfo struct {
	Kind       string
	Namespaced bool
}

// builtinKinds are the kinds of Kubernetes itself and of the sandbox's
// add-ons, with the names kubectl accepts for them (kind, plural and short
// names, any case): the table lint resolves kinds through, the same way
// for setup manifests, reset: delete: and checks.
var builtinKinds = []struct {
	info  KindInfo
	names []string
}{
	// Namespaced.
	{KindInfo{"Pod", true}, []string{"pods", "po"}},
	{KindInfo{"Service", true}, []string{"services", "svc"}},
	{KindInfo{"Endpoints", true}, []string{"ep"}},
	{KindInfo{"EndpointSlice", true}, []string{"endpointslices"}},
	{KindInfo{"ConfigMap", true}, []string{"configmaps", "cm"}},
	{KindInfo{"Secret", true}, []string{"secrets"}},
	{KindInfo{"ServiceAccount", true}, []string{"serviceaccounts", "sa"}},
	{KindInfo{"PersistentVolumeClaim", true}, []string{"persistentvolumeclaims", "pvc"}},
	{KindInfo{"Event", true}, []string{"events", "ev"}},
	{KindInfo{"LimitRange", true}, []string{"limitranges", "limits"}},
	{KindInfo{"ResourceQuota", true}, []string{"resourcequotas", "quota"}},
	{KindInfo{"ReplicationController", true}, []string{"replicationcontrollers", "rc"}},
	{KindInfo{"PodTemplate", true}, []string{"podtemplates"}},
	{KindInfo{"Deployment", true}, []string{"deployments", "deploy"}},
	{KindInfo{"ReplicaSet", true}, []string{"replicasets", "rs"}},
	{KindInfo{"StatefulSet", true}, []string{"statefulsets", "sts"}},
	{KindInfo{"DaemonSet", true}, []string{"daemonsets", "ds"}},
	{KindInfo{"ControllerRevision", true}, []string{"controllerrevisions"}},
	{KindInfo{"Job", true}, []string{"jobs"}},
	{KindInfo{"CronJob", true}, []string{"cronjobs", "cj"}},
	{KindInfo{"HorizontalPodAutoscaler", true}, []string{"horizontalpodautoscalers", "hpa"}},
	{KindInfo{"PodDisruptionBudget", true}, []string{"poddisruptionbudgets", "pdb"}},
	{KindInfo{"Ingress", true}, []string{"ingresses", "ing"}},
	{KindInfo{"NetworkPolicy", true}, []string{"networkpolicies", "netpol"}},
	{KindInfo{"Role", true}, []string{"roles"}},
	{KindInfo{"RoleBinding", true}, []string{"rolebindings"}},
	{KindInfo{"Lease", true}, []string{"leases"}},
	{KindInfo{"CSIStorageCapacity", true}, []string{"csistoragecapacities"}},
	{KindInfo{"Gateway", true}, []string{"gateways", "gtw"}},
	{KindInfo{"HTTPRoute", true}, []string{"httproutes"}},
	{KindInfo{"GRPCRoute", true}, []string{"grpcroutes"}},
	{KindInfo{"ReferenceGrant", true}, []string{"referencegrants", "refgrant"}},
	{KindInfo{"IPAddressPool", true}, []string{"ipaddresspools"}},
	{KindInfo{"L2Advertisement", true}, []string{"l2advertisements"}},
	// Cluster-scoped.
	{KindInfo{"Namespace", false}, []string{"namespaces", "ns"}},
	{KindInfo{"Node", false}, []string{"nodes", "no"}},
	{KindInfo{"PersistentVolume", false}, []string{"persistentvolumes", "pv"}},
	{KindInfo{"StorageClass", false}, []string{"storageclasses", "sc"}},
	{KindInfo{"VolumeAttachment", false}, []string{"volumeattachments"}},
	{KindInfo{"CSIDriver", false}, []string{"csidrivers"}},
	{KindInfo{"CSINode", false}, []string{"csinodes"}},
	{KindInfo{"ClusterRole", false}, []string{"clusterroles"}},
	{KindInfo{"ClusterRoleBinding", false}, []string{"clusterrolebindings"}},
	{KindInfo{"CustomResourceDefinition", false}, []string{"customresourcedefinitions", "crd", "crds"}},
	{KindInfo{"APIService", false}, []string{"apiservices"}},
	{KindInfo{"PriorityClass", false}, []string{"priorityclasses", "pc"}},
	{KindInfo{"RuntimeClass", false}, []string{"runtimeclasses"}},
	{KindInfo{"IngressClass", false}, []string{"ingressclasses"}},
	{KindInfo{"GatewayClass", false}, []string{"gatewayclasses", "gc"}},
	{KindInfo{"ValidatingWebhookConfiguration", false}, []string{"validatingwebhookconfigurations"}},
	{KindInfo{"MutatingWebhookConfiguration", false}, []string{"mutatingwebhookconfigurations"}},
	{KindInfo{"ValidatingAdmissionPolicy", false}, []string{"validatingadmissionpolicies"}},
	{KindInfo{"ValidatingAdmissionPolicyBinding", false}, []string{"validatingadmissionpolicybindings"}},
	{KindInfo{"CertificateSigningRequest", false}, []string{"certificatesigningrequests", "csr"}},
	{KindInfo{"FlowSchema", false}, []string{"flowschemas"}},
	{KindInfo{"PriorityLevelConfiguration", false}, []string{"prioritylevelconfigurations"}},
	{KindInfo{"ComponentStatus", false}, []string{"componentstatuses", "cs"}},
}

var kindIndex = func() map[string]KindInfo {
	m := map[string]KindInfo{}
	for _, k := range builtinKinds {
		m[strings.ToLower(k.info.Kind)] = k.info
		for _, n := range k.names {
			m[n] = k.info
		}
	}
	return m
}()

// LookupKind resolves a kind as kubectl would (Namespace, namespace,
// namespaces and ns are one kind). ok is false for kinds lint does not know.
func LookupKind(kind string) (KindInfo, bool) {
	k, ok := kindIndex[strings.ToLower(strings.TrimSpace(kind))]
	return k, ok
}

// SameKind reports whether a and b name the same kind.
func SameKind(a, b string) bool {
	ka, okA := LookupKind(a)
	kb, okB := LookupKind(b)
	if okA && okB {
		return ka.Kind == kb.Kind
	}
	return strings.EqualFold(a, b)
}
