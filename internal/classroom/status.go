package classroom

import (
	"context"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kworkbook/kworkbook/internal/kube"
)

// Student is one student as the cluster and the kubeconfig folder show them.
type Student struct {
	ID           string    `json:"id"`
	Namespaces   int       `json:"namespaces"`
	NodePortBase int       `json:"nodePortBase"`
	Kubeconfig   string    `json:"kubeconfig,omitempty"`
	Expires      time.Time `json:"tokenExpires,omitempty"`
}

// Status lists the class's students, their namespaces and, from the
// kubeconfigs in outDir, when their tokens expire.
func Status(ctx context.Context, c *kube.Clients, outDir string) ([]Student, error) {
	nss, err := c.Typed.CoreV1().Namespaces().List(ctx, metav1.ListOptions{LabelSelector: classSelector})
	if err != nil {
		return nil, forbidden(err)
	}
	by := map[string]*Student{}
	for _, n := range nss.Items {
		id := n.Labels[LabelStudent]
		if id == "" {
			continue
		}
		s := by[id]
		if s == nil {
			s = &Student{ID: id}
			by[id] = s
		}
		if n.Name != Home(id) {
			s.Namespaces++
		}
	}
	if cm, err := c.Typed.CoreV1().ConfigMaps(ClassNamespace).Get(ctx, "nodeports", metav1.GetOptions{}); err == nil {
		for id, v := range cm.Data {
			if s := by[id]; s != nil {
				s.NodePortBase, _ = strconv.Atoi(v)
			}
		}
	}
	out := make([]Student, 0, len(by))
	for _, s := range by {
		if outDir != "" {
			path := filepath.Join(outDir, s.ID+".kubeconfig")
			if exp, ok := tokenExpiry(path); ok {
				s.Kubeconfig, s.Expires = path, exp
			}
		}
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}
