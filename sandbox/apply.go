package sandbox

import (
	"context"
	"encoding/json"
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
)

// Labels kworkbook puts on what it makes; reset and down delete only
// objects that carry them.
const (
	LabelManagedBy = "app.kubernetes.io/managed-by"
	ManagedBy      = "kworkbook"
	LabelLesson    = "kworkbook.dev/lesson"
	FieldManager   = "kworkbook"
)

// Applier applies objects server-side.
type Applier struct {
	Dynamic dynamic.Interface
	Mapper  meta.RESTMapper
	// FieldManager names the writer; FieldManager when empty.
	FieldManager string
}

// Apply server-side applies obj (forcing ownership of conflicting fields,
// as kubectl apply --server-side --force-conflicts does).
func (a Applier) Apply(ctx context.Context, obj *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	ri, err := a.resource(obj)
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(obj.Object)
	if err != nil {
		return nil, fmt.Errorf("unable to encode %s %s: %w", obj.GetKind(), obj.GetName(), err)
	}
	fm := a.FieldManager
	if fm == "" {
		fm = FieldManager
	}
	force := true
	out, err := ri.Patch(ctx, obj.GetName(), types.ApplyPatchType, data, metav1.PatchOptions{FieldManager: fm, Force: &force})
	if err != nil {
		return nil, fmt.Errorf("unable to apply %s %s: %w", obj.GetKind(), obj.GetName(), Forbidden(err))
	}
	return out, nil
}

func (a Applier) resource(obj *unstructured.Unstructured) (dynamic.ResourceInterface, error) {
	gvk := obj.GroupVersionKind()
	m, err := a.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, fmt.Errorf("unable to apply %s %s: this cluster does not serve %s: %w", obj.GetKind(), obj.GetName(), gvk, err)
	}
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		return a.Dynamic.Resource(m.Resource).Namespace(obj.GetNamespace()), nil
	}
	return a.Dynamic.Resource(m.Resource), nil
}
