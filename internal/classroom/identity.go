package classroom

import (
	"context"
	"strconv"
	"strings"

	authv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kworkbook/kworkbook/internal/kube"
	"github.com/kworkbook/kworkbook/lessons"
)

// Identify finds, from who the cluster says the user is, whether they are
// a student of a class on it, and their scope. The cluster answers (a
// SelfSubjectReview, which every signed-in user may make); the kubeconfig
// only carries the token. ok is false for anyone else (a teacher, a lone
// learner on their own cluster).
func Identify(ctx context.Context, c *kube.Clients) (lessons.Scope, bool) {
	review, err := c.Typed.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		return lessons.Scope{}, false
	}
	id, ok := studentOf(review.Status.UserInfo.Username)
	if !ok {
		return lessons.Scope{}, false
	}
	s := lessons.Scope{Student: id}
	if cm, err := c.Typed.CoreV1().ConfigMaps(Home(id)).Get(ctx, StudentConfig, metav1.GetOptions{}); err == nil {
		s.NodePortBase, _ = strconv.Atoi(cm.Data["nodePortBase"])
	}
	return s, true
}

// studentOf reads a student id from a ServiceAccount user name,
// system:serviceaccount:kw-<id>:student.
func studentOf(user string) (string, bool) {
	rest, ok := strings.CutPrefix(user, "system:serviceaccount:kw-")
	if !ok {
		return "", false
	}
	id, sa, ok := strings.Cut(rest, ":")
	if !ok || sa != ServiceAccount || !idRE.MatchString(id) {
		return "", false
	}
	return id, true
}

// ScopeOf is the scope the teacher grades a student in.
func ScopeOf(ctx context.Context, c *kube.Clients, id string) lessons.Scope {
	s := lessons.Scope{Student: id}
	if cm, err := c.Typed.CoreV1().ConfigMaps(ClassNamespace).Get(ctx, "nodeports", metav1.GetOptions{}); err == nil {
		s.NodePortBase, _ = strconv.Atoi(cm.Data[id])
	}
	return s
}
