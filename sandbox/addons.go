package sandbox

import (
	"context"
	"fmt"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kworkbook/kworkbook/assets"
	"github.com/kworkbook/kworkbook/internal/kube"
	"github.com/kworkbook/kworkbook/internal/locale"
	"github.com/kworkbook/kworkbook/lessons"
)

// Add-on names as sandbox status and the record show them.
const (
	AddonIngress      = "ingress (traefik)"
	AddonLoadBalancer = "loadbalancer (metallb)"
)

// Pinned add-on images; assets/images.txt lists the same for offline builds.
const (
	traefikImage = "traefik:v3.6.12"
	metallbImage = "quay.io/metallb/controller:v0.15.2"
	metallbNS    = "metallb-system"
	addonWait    = 3 * time.Minute
	poolName     = "kworkbook"
	traefikName  = "traefik"
	ingressClass = "traefik"
)

var poolGVR = schema.GroupVersionResource{Group: "metallb.io", Version: "v1beta1", Resource: "ipaddresspools"}

// Health is one add-on's state.
type Health struct {
	Name    string
	Healthy bool
	Detail  string
}

// InstallAddons installs the sandbox's add-ons, MetalLB (with an address
// pool of poolRange) then Traefik, and waits until they are ready. An add-on
// that is already healthy at its pinned version is left untouched, so a
// second run changes nothing. It returns the names of the add-ons in place.
func InstallAddons(ctx context.Context, c *kube.Clients, poolRange string, log Logger) ([]string, error) {
	log = orNop(log)
	steps := []struct {
		name    string
		health  func(context.Context, *kube.Clients, string) Health
		install func(context.Context, *kube.Clients, string) error
	}{
		{AddonLoadBalancer, metallbHealth, installMetalLB},
		{AddonIngress, traefikHealth, installTraefik},
	}
	var names []string
	for _, s := range steps {
		if h := s.health(ctx, c, poolRange); h.Healthy {
			log.Step(locale.M("sandbox.addon_ok", "Name", s.name, "Detail", h.Detail), nil)
			names = append(names, s.name)
			continue
		}
		start := time.Now()
		if err := s.install(ctx, c, poolRange); err != nil {
			return names, fmt.Errorf("installing %s: %w", s.name, err)
		}
		h := s.health(ctx, c, poolRange)
		log.Step(locale.M("sandbox.addon_installed", "Name", s.name, "Seconds", fmt.Sprintf("%.0f", time.Since(start).Seconds()), "Detail", h.Detail), nil)
		names = append(names, s.name)
	}
	return names, nil
}

// AddonHealth reports every add-on the sandbox knows of, on any cluster.
func AddonHealth(ctx context.Context, c *kube.Clients) []Health {
	return []Health{metallbHealth(ctx, c, ""), traefikHealth(ctx, c, "")}
}

func applyAsset(ctx context.Context, c *kube.Clients, name string, edit func(string) string) error {
	raw, err := assets.FS.ReadFile(name)
	if err != nil {
		return err
	}
	if edit != nil {
		raw = []byte(edit(string(raw)))
	}
	objs, err := lessons.ParseObjects(name, raw)
	if err != nil {
		return err
	}
	a := Applier{Dynamic: c.Dynamic, Mapper: c.RESTMapper()}
	for _, o := range objs {
		u := o.DeepCopy()
		addLabels(u, map[string]string{LabelManagedBy: ManagedBy})
		if _, err := a.Apply(ctx, u); err != nil {
			return kubeError(err)
		}
		if u.GetKind() == "CustomResourceDefinition" {
			c.Mapper.Reset()
		}
	}
	return nil
}

func installMetalLB(ctx context.Context, c *kube.Clients, poolRange string) error {
	if poolRange == "" {
		return fmt.Errorf("no address range for the load balancer")
	}
	if err := applyAsset(ctx, c, "addons/metallb-native.yaml", nil); err != nil {
		return err
	}
	if err := waitWorkload(ctx, c, metallbNS, "Deployment", "controller"); err != nil {
		return err
	}
	if err := waitWorkload(ctx, c, metallbNS, "DaemonSet", "speaker"); err != nil {
		return err
	}
	// The pool goes through MetalLB's admission webhook, which answers a
	// little after the controller reports ready: retry until it does.
	ctx, cancel := context.WithTimeout(ctx, addonWait)
	defer cancel()
	for {
		c.Mapper.Reset()
		err := applyAsset(ctx, c, "addons/metallb-pool.yaml", func(s string) string {
			return strings.ReplaceAll(s, "RANGE", poolRange)
		})
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the address pool was not accepted: %w", err)
		case <-time.After(2 * time.Second):
		}
	}
}

func installTraefik(ctx context.Context, c *kube.Clients, _ string) error {
	if err := applyAsset(ctx, c, "addons/traefik.yaml", nil); err != nil {
		return err
	}
	return waitWorkload(ctx, c, SystemNamespace, "Deployment", traefikName)
}

func waitWorkload(ctx context.Context, c *kube.Clients, ns, kind, name string) error {
	e := &Env{Clients: c, WaitTimeout: addonWait, Log: NopLogger{}}
	return e.WaitReady(ctx, ns, kind, name)
}

func metallbHealth(ctx context.Context, c *kube.Clients, poolRange string) Health {
	h := Health{Name: AddonLoadBalancer}
	d, err := c.Typed.AppsV1().Deployments(metallbNS).Get(ctx, "controller", metav1.GetOptions{})
	if err != nil {
		h.Detail = notInstalled(err)
		return h
	}
	ds, err := c.Typed.AppsV1().DaemonSets(metallbNS).Get(ctx, "speaker", metav1.GetOptions{})
	if err != nil {
		h.Detail = notInstalled(err)
		return h
	}
	pool, err := c.Dynamic.Resource(poolGVR).Namespace(metallbNS).Get(ctx, poolName, metav1.GetOptions{})
	if err != nil {
		h.Detail = "MetalLB runs but has no address pool " + poolName
		return h
	}
	addrs, _, _ := unstructured.NestedStringSlice(pool.Object, "spec", "addresses")
	switch {
	case !deploymentReady(d) || imageOf(d.Spec.Template.Spec.Containers) != metallbImage:
		h.Detail = fmt.Sprintf("controller %d/%d ready, image %s", d.Status.ReadyReplicas, replicas(d), imageOf(d.Spec.Template.Spec.Containers))
	case ds.Status.NumberReady != ds.Status.DesiredNumberScheduled || ds.Status.DesiredNumberScheduled == 0:
		h.Detail = fmt.Sprintf("speaker %d/%d ready", ds.Status.NumberReady, ds.Status.DesiredNumberScheduled)
	case poolRange != "" && strings.Join(addrs, ",") != poolRange:
		h.Detail = fmt.Sprintf("address pool %s is %s, expected %s", poolName, strings.Join(addrs, ","), poolRange)
	default:
		h.Healthy = true
		h.Detail = fmt.Sprintf("MetalLB v0.15.2 (L2), controller ready, %d speakers ready, addresses %s", ds.Status.NumberReady, strings.Join(addrs, ","))
	}
	return h
}

func traefikHealth(ctx context.Context, c *kube.Clients, _ string) Health {
	h := Health{Name: AddonIngress}
	d, err := c.Typed.AppsV1().Deployments(SystemNamespace).Get(ctx, traefikName, metav1.GetOptions{})
	if err != nil {
		h.Detail = notInstalled(err)
		return h
	}
	if _, err := c.Typed.NetworkingV1().IngressClasses().Get(ctx, ingressClass, metav1.GetOptions{}); err != nil {
		h.Detail = "Traefik runs but IngressClass " + ingressClass + " is missing"
		return h
	}
	if !deploymentReady(d) || imageOf(d.Spec.Template.Spec.Containers) != traefikImage {
		h.Detail = fmt.Sprintf("traefik %d/%d ready, image %s", d.Status.ReadyReplicas, replicas(d), imageOf(d.Spec.Template.Spec.Containers))
		return h
	}
	h.Healthy = true
	h.Detail = "Traefik v3.6.12, IngressClass traefik (default), ready"
	if svc, err := c.Typed.CoreV1().Services(SystemNamespace).Get(ctx, traefikName, metav1.GetOptions{}); err == nil {
		for _, in := range svc.Status.LoadBalancer.Ingress {
			h.Detail += ", external IP " + in.IP
		}
	}
	return h
}

func notInstalled(err error) string {
	if apierrors.IsNotFound(err) {
		return "not installed (kworkbook's own cluster has it: kworkbook sandbox up)"
	}
	return "unknown: " + err.Error()
}

func deploymentReady(d *appsv1.Deployment) bool {
	return d.Status.ObservedGeneration >= d.Generation && d.Status.ReadyReplicas >= replicas(d) && d.Status.UpdatedReplicas >= replicas(d)
}

func replicas(d *appsv1.Deployment) int32 {
	if d.Spec.Replicas == nil {
		return 1
	}
	return *d.Spec.Replicas
}

func imageOf(cs []corev1.Container) string {
	imgs := make([]string, len(cs))
	for i, c := range cs {
		imgs[i] = c.Image
	}
	return strings.Join(imgs, ",")
}
