package prove

import (
	"testing"

	"github.com/kworkbook/kworkbook/lessons"
)

func TestWritesDefault(t *testing.T) {
	for _, tc := range []struct {
		nm   lessons.NearMiss
		want bool
	}{
		{lessons.NearMiss{Commands: []string{"kubectl run web --image=nginx:1.27 -n default"}}, true},
		{lessons.NearMiss{Commands: []string{"kubectl run web --image=nginx:1.27"}, Cleanup: []string{"kubectl delete pod web -n default"}}, true},
		{lessons.NearMiss{Commands: []string{"kubectl create cm a --namespace=default"}}, true},
		{lessons.NearMiss{Commands: []string{"sed -e 's/namespace: kw-deploy/namespace: default/' web.yaml | kubectl apply -f -"}}, true},
		{lessons.NearMiss{Commands: []string{"kubectl run web --image=nginx:1.27 -n kw-first"}}, false},
		{lessons.NearMiss{Commands: []string{"kubectl run web -n default-team"}}, false},
		{lessons.NearMiss{Manifests: []string{"nearmiss/web.yaml"}}, false},
	} {
		if got := writesDefault(&tc.nm); got != tc.want {
			t.Errorf("%q / %q: got %v, want %v", tc.nm.Commands, tc.nm.Cleanup, got, tc.want)
		}
	}
}
