package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kworkbook/kworkbook/internal/kube"
	"github.com/kworkbook/kworkbook/lessons"

	"github.com/kworkbook/kworkbook/internal/locale"
)

// Errors about which cluster to use.
var (
	// ErrNoSandbox means kworkbook's cluster does not exist yet.
	ErrNoSandbox = errors.New("no kworkbook cluster yet")
	// ErrUnknownContext means --context names no context of the kubeconfig.
	ErrUnknownContext = errors.New("no such context")
	// ErrNotOwned means kworkbook was asked to change something it did not make.
	ErrNotOwned = errors.New("not kworkbook's")
)

// Target is the cluster a command works on.
type Target struct {
	Context    string
	Kubeconfig string
	// Owned is true for kworkbook's own kind cluster; false for a cluster
	// the user named with --context.
	Owned bool
	// Scope is where the learner's lessons live: a student's, read from
	// the kubeconfig a teacher's class up wrote; zero for a lone learner.
	Scope lessons.Scope
}

// StudentExtension is the kubeconfig context extension in which class up
// records a student's scope; StudentContextPrefix starts the context's name.
const (
	StudentExtension     = "kworkbook.dev/student"
	StudentContextPrefix = "kworkbook-class-"
)

// studentScope reads a context's student extension.
func studentScope(c *clientcmdapi.Context) (lessons.Scope, bool) {
	if c == nil {
		return lessons.Scope{}, false
	}
	u, ok := c.Extensions[StudentExtension].(*runtime.Unknown)
	if !ok {
		return lessons.Scope{}, false
	}
	var s struct {
		Student      string `json:"student"`
		NodePortBase int    `json:"nodePortBase"`
	}
	if json.Unmarshal(u.Raw, &s) != nil {
		return lessons.Scope{}, false
	}
	sc := lessons.Scope{Student: s.Student, NodePortBase: s.NodePortBase}
	if sc.Validate() != nil || sc.Student == "" {
		return lessons.Scope{}, false
	}
	return sc, true
}

// StudentExtensionObject is the extension to write for a scope.
func StudentExtensionObject(s lessons.Scope) runtime.Object {
	raw, _ := json.Marshal(map[string]any{"student": s.Student, "nodePortBase": s.NodePortBase})
	return &runtime.Unknown{Raw: raw, ContentType: "application/json"}
}

// Resolve picks the cluster. Without an explicit context it is always
// kworkbook's own (kind-kworkbook), never the kubeconfig's current context:
// kworkbook refuses any cluster it did not create unless told by name.
func Resolve(kubeconfig, context string) (Target, error) {
	raw, err := RawConfig(kubeconfig)
	if err != nil {
		return Target{}, err
	}
	if context == "" {
		// A student's kubeconfig, written by the teacher's class up: its
		// current context is the student's, and it says so.
		if _, ok := raw.Contexts[ContextName()]; !ok {
			if sc, ok := studentScope(raw.Contexts[raw.CurrentContext]); ok {
				return Target{Context: raw.CurrentContext, Kubeconfig: kubeconfig, Scope: sc}, nil
			}
		}
		if _, ok := raw.Contexts[ContextName()]; !ok {
			if raw.CurrentContext != "" {
				return Target{}, locale.Errorf(ErrNoSandbox, "err.no_sandbox_current", "Context", ContextName(), "Current", raw.CurrentContext)
			}
			return Target{}, locale.Errorf(ErrNoSandbox, "err.no_sandbox", "Context", ContextName())
		}
		return Target{Context: ContextName(), Kubeconfig: kubeconfig, Owned: true}, nil
	}
	if _, ok := raw.Contexts[context]; !ok {
		return Target{}, locale.Errorf(ErrUnknownContext, "err.unknown_context", "Context", context, "Valid", strings.Join(contextNames(raw), ", "))
	}
	sc, _ := studentScope(raw.Contexts[context])
	return Target{Context: context, Kubeconfig: kubeconfig, Owned: context == ContextName(), Scope: sc}, nil
}

func contextNames(raw *clientcmdapi.Config) []string {
	names := make([]string, 0, len(raw.Contexts))
	for n := range raw.Contexts {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return []string{"(none)"}
	}
	return names
}

// Clients connects to the target.
func (t Target) Clients() (*kube.Clients, error) {
	return kube.New(t.Kubeconfig, t.Context)
}

// RawConfig reads the merged kubeconfig; a missing file reads as empty.
func RawConfig(kubeconfig string) (*clientcmdapi.Config, error) {
	return kube.RawConfig(kubeconfig)
}

// RawConfigCurrent returns the kubeconfig's current context.
func RawConfigCurrent(kubeconfig string) (string, error) {
	raw, err := RawConfig(kubeconfig)
	if err != nil {
		return "", err
	}
	return raw.CurrentContext, nil
}

// SetCurrentContext switches the kubeconfig's current context, as
// kubectl config use-context does.
func SetCurrentContext(kubeconfig, context string) error {
	rules := kube.LoadingRules(kubeconfig)
	raw, err := rules.Load()
	if err != nil {
		return fmt.Errorf("unable to read kubeconfig: %w", err)
	}
	raw.CurrentContext = context
	if err := clientcmd.ModifyConfig(rules, *raw, true); err != nil {
		return fmt.Errorf("unable to switch the kubeconfig to %s: %w", context, err)
	}
	return nil
}

// WriteKubeconfig writes a kubeconfig holding only the target's context,
// made current, so child kubectl processes can only reach the target.
func (t Target) WriteKubeconfig(path string) error {
	raw, err := RawConfig(t.Kubeconfig)
	if err != nil {
		return err
	}
	cfg := raw.DeepCopy()
	cfg.CurrentContext = t.Context
	if err := clientcmdapi.MinifyConfig(cfg); err != nil {
		return fmt.Errorf("unable to prepare a kubeconfig for %s: %w", t.Context, err)
	}
	if err := clientcmdapi.FlattenConfig(cfg); err != nil {
		return fmt.Errorf("unable to prepare a kubeconfig for %s: %w", t.Context, err)
	}
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		return fmt.Errorf("unable to write %s: %w", path, err)
	}
	return os.Chmod(path, 0o600)
}
