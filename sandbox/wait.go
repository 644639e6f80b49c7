package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kworkbook/kworkbook/internal/kube"
	"github.com/kworkbook/kworkbook/internal/locale"
)

// ErrUnreachable means the cluster's API server did not answer.
var ErrUnreachable = errors.New("the cluster is unreachable")

func waitsFor(kind string) bool {
	switch kind {
	case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod", "Job", "PersistentVolumeClaim":
		return true
	}
	return false
}

// WaitReady waits until the object is ready in the sense kubectl rollout
// status and kubectl wait use, and says what it last saw when it is not.
func (e *Env) WaitReady(ctx context.Context, ns, kind, name string) error {
	timeout := e.WaitTimeout
	if timeout == 0 {
		timeout = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	m, err := kube.Mapping(e.Clients.RESTMapper(), kind, "")
	if err != nil {
		return fmt.Errorf("wait for %s/%s: %w", kind, name, err)
	}
	last := "not found"
	for {
		o, err := e.Clients.Dynamic.Resource(m.Resource).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
		switch {
		case err == nil:
			var ok bool
			if ok, last = Ready(o); ok {
				return nil
			}
		case !apierrors.IsNotFound(err) && ctx.Err() == nil:
			return kubeError(err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: %s %s in %s is not ready after %s: %s", ErrStep, m.GroupVersionKind.Kind, name, ns, timeout, last)
		case <-time.After(300 * time.Millisecond):
		}
	}
}

// Ready reports whether a workload, pod, job or claim is ready, and what
// it is waiting for when not.
func Ready(o *unstructured.Unstructured) (bool, string) {
	obj := o.Object
	gen, _, _ := unstructured.NestedInt64(obj, "metadata", "generation")
	observed, _, _ := unstructured.NestedInt64(obj, "status", "observedGeneration")
	switch o.GetKind() {
	case "Deployment", "StatefulSet", "ReplicaSet":
		want, ok, _ := unstructured.NestedInt64(obj, "spec", "replicas")
		if !ok {
			want = 1
		}
		ready, _, _ := unstructured.NestedInt64(obj, "status", "readyReplicas")
		updated, _, _ := unstructured.NestedInt64(obj, "status", "updatedReplicas")
		if o.GetKind() == "ReplicaSet" {
			updated = ready
		}
		total, _, _ := unstructured.NestedInt64(obj, "status", "replicas")
		if observed >= gen && ready >= want && updated >= want && total <= want {
			return true, ""
		}
		return false, fmt.Sprintf("%d/%d ready, %d updated", ready, want, updated)
	case "DaemonSet":
		want, _, _ := unstructured.NestedInt64(obj, "status", "desiredNumberScheduled")
		ready, _, _ := unstructured.NestedInt64(obj, "status", "numberReady")
		return observed >= gen && want > 0 && ready == want, fmt.Sprintf("%d/%d ready", ready, want)
	case "Pod":
		phase, _, _ := unstructured.NestedString(obj, "status", "phase")
		if phase == "Succeeded" {
			return true, ""
		}
		conds, _, _ := unstructured.NestedSlice(obj, "status", "conditions")
		for _, c := range conds {
			m, _ := c.(map[string]any)
			if m["type"] == "Ready" && m["status"] == "True" {
				return true, ""
			}
		}
		return false, "phase " + phase
	case "Job":
		conds, _, _ := unstructured.NestedSlice(obj, "status", "conditions")
		for _, c := range conds {
			m, _ := c.(map[string]any)
			if (m["type"] == "Complete" || m["type"] == "Failed") && m["status"] == "True" {
				return true, ""
			}
		}
		return false, "not complete"
	case "PersistentVolumeClaim":
		phase, _, _ := unstructured.NestedString(obj, "status", "phase")
		// WaitForFirstConsumer claims bind only once a pod uses them.
		return phase == "Bound" || phase == "Pending", "phase " + phase
	}
	return true, ""
}

// kubeError marks connection failures as ErrUnreachable with advice.
func kubeError(err error) error {
	if err == nil {
		return nil
	}
	var ne net.Error
	s := err.Error()
	if errors.As(err, &ne) || strings.Contains(s, "connection refused") || strings.Contains(s, "no such host") || strings.Contains(s, "i/o timeout") {
		return fmt.Errorf("%w: %v; is it running? (kworkbook sandbox status, or docker ps)", ErrUnreachable, err)
	}
	return Forbidden(err)
}

// ErrForbidden means the cluster refused the user a right kworkbook needs.
var ErrForbidden = errors.New("the cluster refused")

// Forbidden turns a 403 into a sentence that names the right that is
// missing and whom to ask; other errors are returned as they are.
func Forbidden(err error) error {
	verb, res, ns, ok := kube.Forbidden(err)
	switch {
	case !ok:
		return err
	case verb == "":
		return locale.Errorf(errors.Join(ErrForbidden, err), "err.forbidden_other", "Error", err.Error())
	case ns == "":
		return locale.Errorf(errors.Join(ErrForbidden, err), "err.forbidden_cluster", "Verb", verb, "Resource", res)
	}
	return locale.Errorf(errors.Join(ErrForbidden, err), "err.forbidden", "Verb", verb, "Resource", res, "Namespace", ns)
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
