package kube

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/remotecommand"
	utilexec "k8s.io/client-go/util/exec"
	"k8s.io/streaming/pkg/httpstream"
)

// ExecResult is what a command run in a container produced.
type ExecResult struct {
	Stdout, Stderr string
	ExitCode       int
}

// Execer runs a command in a container, as `kubectl exec` does.
type Execer interface {
	Exec(ctx context.Context, namespace, pod, container string, command []string) (ExecResult, error)
}

type podExec struct {
	cfg   *rest.Config
	typed kubernetes.Interface
}

// Exec runs command and returns its output and exit code. A non-zero exit
// is a result, not an error; errors mean the command could not run.
func (p *podExec) Exec(ctx context.Context, namespace, pod, container string, command []string) (ExecResult, error) {
	req := p.typed.CoreV1().RESTClient().Post().Resource("pods").Namespace(namespace).Name(pod).SubResource("exec").
		VersionedParams(&corev1.PodExecOptions{
			Container: container,
			Command:   command,
			Stdout:    true,
			Stderr:    true,
		}, scheme.ParameterCodec)
	ws, err := remotecommand.NewWebSocketExecutor(p.cfg, "GET", req.URL().String())
	if err != nil {
		return ExecResult{}, fmt.Errorf("unable to exec in pod %s: %w", pod, err)
	}
	spdy, err := remotecommand.NewSPDYExecutor(p.cfg, "POST", req.URL())
	if err != nil {
		return ExecResult{}, fmt.Errorf("unable to exec in pod %s: %w", pod, err)
	}
	exec, err := remotecommand.NewFallbackExecutor(ws, spdy, func(err error) bool {
		return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
	})
	if err != nil {
		return ExecResult{}, fmt.Errorf("unable to exec in pod %s: %w", pod, err)
	}
	var out, errOut bytes.Buffer
	err = exec.StreamWithContext(ctx, remotecommand.StreamOptions{Stdout: &out, Stderr: &errOut})
	res := ExecResult{Stdout: out.String(), Stderr: errOut.String()}
	var exitErr utilexec.CodeExitError
	if errors.As(err, &exitErr) {
		res.ExitCode = exitErr.Code
		return res, nil
	}
	if err != nil {
		return res, fmt.Errorf("unable to exec in pod %s: %w", pod, err)
	}
	return res, nil
}
