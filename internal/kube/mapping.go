package kube

import (
	"regexp"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Mapping resolves a kind to its REST resource. apiVersion may be empty, in
// which case the kind alone is looked up in every served group (the way
// lesson authors write "Deployment" without "apps/v1").
func Mapping(mapper meta.RESTMapper, kind, apiVersion string) (*meta.RESTMapping, error) {
	if apiVersion != "" {
		gv, err := schema.ParseGroupVersion(apiVersion)
		if err != nil {
			return nil, err
		}
		return mapper.RESTMapping(schema.GroupKind{Group: gv.Group, Kind: kind}, gv.Version)
	}
	gvk, err := mapper.KindFor(schema.GroupVersionResource{Resource: strings.ToLower(kind)})
	if err != nil {
		return nil, err
	}
	return mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
}

var forbiddenRE = regexp.MustCompile(`cannot (\S+) resource "([^"]+)"(?: in API group "([^"]*)")?(?: in the namespace "([^"]+)")?`)

// Forbidden reads what the API server refused from a 403: the verb, the
// resource and the namespace ("" for cluster-wide).
func Forbidden(err error) (verb, resource, namespace string, ok bool) {
	if !apierrors.IsForbidden(err) {
		return "", "", "", false
	}
	m := forbiddenRE.FindStringSubmatch(err.Error())
	if m == nil {
		return "", "", "", true
	}
	res := m[2]
	if m[3] != "" {
		res += "." + m[3]
	}
	return m[1], res, m[4], true
}
