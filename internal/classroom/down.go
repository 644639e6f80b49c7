package classroom

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kworkbook/kworkbook/internal/kube"
	"github.com/kworkbook/kworkbook/internal/locale"
	"github.com/kworkbook/kworkbook/sandbox"
)

var classSelector = LabelClass + "=true," + LabelManagedBy + "=" + ManagedBy

// DownResult counts what Down deleted.
type DownResult struct {
	Namespaces, ClusterRoleBindings, ClusterRoles int
}

// DownOptions configure Down.
type DownOptions struct {
	// Wait is how long to wait for the namespaces to be gone (the
	// namespace controller empties them one kind at a time: minutes for a
	// big class on a busy cluster); DefaultDownWait when zero.
	Wait time.Duration
	// Log receives a note on the namespaces left, every ten seconds.
	Log sandbox.Logger
}

// DefaultDownWait is how long class down waits for the namespaces.
const DefaultDownWait = 15 * time.Minute

// Down removes exactly what Up made: everything that carries the class
// label (the students' namespaces with all in them, their cluster role
// bindings, the reader role, the class namespace), and waits until the
// namespaces are gone, so the cluster is as it was before Up.
func Down(ctx context.Context, c *kube.Clients, o DownOptions) (DownResult, error) {
	if o.Wait <= 0 {
		o.Wait = DefaultDownWait
	}
	if o.Log == nil {
		o.Log = sandbox.NopLogger{}
	}
	var r DownResult
	rbac := c.Typed.RbacV1()
	crbs, err := rbac.ClusterRoleBindings().List(ctx, metav1.ListOptions{LabelSelector: classSelector})
	if err != nil {
		return r, forbidden(err)
	}
	for _, b := range crbs.Items {
		if err := rbac.ClusterRoleBindings().Delete(ctx, b.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return r, forbidden(err)
		}
		r.ClusterRoleBindings++
	}
	crs, err := rbac.ClusterRoles().List(ctx, metav1.ListOptions{LabelSelector: classSelector})
	if err != nil {
		return r, forbidden(err)
	}
	for _, cr := range crs.Items {
		if err := rbac.ClusterRoles().Delete(ctx, cr.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return r, forbidden(err)
		}
		r.ClusterRoles++
	}
	nss, err := c.Typed.CoreV1().Namespaces().List(ctx, metav1.ListOptions{LabelSelector: classSelector})
	if err != nil {
		return r, forbidden(err)
	}
	var names []string
	for _, n := range nss.Items {
		names = append(names, n.Name)
	}
	r.Namespaces = len(names)
	if err := deleteNamespaces(ctx, c, names, o); err != nil {
		return r, err
	}
	return r, nil
}

// deleteNamespaces deletes the pods of each namespace at once (no grace
// period: sleep as PID 1 ignores SIGTERM for 30 s), then the namespaces,
// and waits for them to be gone.
func deleteNamespaces(ctx context.Context, c *kube.Clients, names []string, o DownOptions) error {
	core := c.Typed.CoreV1()
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	grace := int64(0)
	bg := metav1.DeletePropagationBackground
	for _, ns := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			_ = core.Pods(ns).DeleteCollection(ctx, metav1.DeleteOptions{GracePeriodSeconds: &grace}, metav1.ListOptions{})
			if err := core.Namespaces().Delete(ctx, ns, metav1.DeleteOptions{PropagationPolicy: &bg}); err != nil && !apierrors.IsNotFound(err) {
				mu.Lock()
				if firstErr == nil {
					firstErr = forbidden(err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	start := time.Now()
	deadline, noted := start.Add(o.Wait), start
	for {
		left, err := core.Namespaces().List(ctx, metav1.ListOptions{LabelSelector: classSelector})
		if err != nil {
			return forbidden(err)
		}
		if len(left.Items) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			var ns []string
			for _, n := range left.Items {
				ns = append(ns, n.Name)
			}
			sort.Strings(ns)
			return fmt.Errorf("%d namespaces are still terminating after %s: %s. Run class down again later to wait for them, or see what holds one with kubectl get namespace NAME -o yaml",
				len(ns), o.Wait, strings.Join(ns, ", "))
		}
		if time.Since(noted) >= 10*time.Second {
			noted = time.Now()
			o.Log.Note(locale.NM("class.down.waiting", len(left.Items), "Total", len(names),
				"Seconds", int(time.Since(start).Seconds())))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}
