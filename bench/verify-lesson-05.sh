#!/usr/bin/env bash
# The checks of lesson 05 written the way a Killercoda scenario's verify.sh
# does them: one kubectl call per condition, compared in the shell. The
# benchmark times this against `kworkbook check lesson-05`; it exits 0 only
# when every exercise of the solved lesson passes.
set -u
k() { kubectl --context "${CONTEXT:-kind-kworkbook}" -n kw-deploy "$@"; }
d() { k get deployment web -o jsonpath="$1"; }
fail() { echo "FAIL: $*"; status=1; }
# nginx:TAG and its full name docker.io/library/nginx:TAG are the same image
is_nginx() { [ "$1" = "nginx:$2" ] || [ "$1" = "docker.io/library/nginx:$2" ]; }
status=0

# create
[ -n "$(d '{.metadata.name}')" ] || fail "no deployment web"
# made with kubectl apply: client-side (manager kubectl-client-side-apply) or server-side (operation Apply)
d '{range .metadata.managedFields[*]}{.manager}/{.operation}{"\n"}{end}' |
  grep -q -e '^kubectl-client-side-apply/' -e '/Apply$' || fail "applied"
case "$(d '{.spec.replicas}')" in 3|5) ;; *) fail "replicas" ;; esac
is_nginx "$(d '{.spec.template.spec.containers[?(@.name=="nginx")].image}')" 1.27 || fail "image"
[ "$(d '{.spec.selector.matchLabels.app}')" = web ] || fail "selector"
[ "$(d '{.spec.template.metadata.labels.app}')" = web ] || fail "template labels"
[ "$(d '{.status.readyReplicas}')" -ge "$(d '{.spec.replicas}')" ] || fail "ready"
# scale
[ "$(d '{.spec.replicas}')" = 5 ] || fail "5 replicas"
[ "$(d '{.status.readyReplicas}')" = 5 ] || fail "5 ready"
# strategy
[ "$(d '{.spec.strategy.type}')" = RollingUpdate ] || fail "rolling update"
case "$(d '{.spec.strategy.rollingUpdate.maxUnavailable}')" in 0|0%) ;; *) fail "maxUnavailable" ;; esac
[ "$(d '{.spec.strategy.rollingUpdate.maxSurge}')" = 1 ] || fail "maxSurge"
[ "$(d '{.spec.replicas}')" = 5 ] || fail "still 5"
# update
[ "$(d '{.spec.template.spec.containers[?(@.name=="nginx")].env[?(@.name=="APP_VERSION")].value}')" = v2 ] || fail "env"
cause=$(d '{.metadata.annotations.kubernetes\.io/change-cause}')
[ -n "$(echo "$cause" | tr -d '[:space:]')" ] || fail "change-cause"
rev=$(d '{.metadata.annotations.deployment\.kubernetes\.io/revision}')
[ "${rev:-0}" -ge 2 ] || fail "revision"
gen=$(d '{.metadata.generation}'); obs=$(d '{.status.observedGeneration}')
spec=$(d '{.spec.replicas}'); upd=$(d '{.status.updatedReplicas}'); avail=$(d '{.status.availableReplicas}'); total=$(d '{.status.replicas}')
[ "$obs" -ge "$gen" ] && [ "$upd" = "$spec" ] && [ "$avail" = "$spec" ] && [ "$total" = "$spec" ] || fail "rollout"
# rollback
bad=$(k get replicasets -l app=web -o jsonpath='{range .items[*]}{.metadata.annotations.deployment\.kubernetes\.io/revision} {.spec.replicas} {.spec.template.spec.containers[*].image}{"\n"}{end}' |
  awk '{for (i = 3; i <= NF; i++) if ($i == "nginx:1.277" || $i == "docker.io/library/nginx:1.277") { print $1, $2; break }}')
[ -n "$bad" ] || fail "bad release"
is_nginx "$(d '{.spec.template.spec.containers[?(@.name=="nginx")].image}')" 1.27 || fail "template image"
[ "$(d '{.spec.template.spec.containers[?(@.name=="nginx")].env[?(@.name=="APP_VERSION")].value}')" = v2 ] || fail "template env"
rev=$(d '{.metadata.annotations.deployment\.kubernetes\.io/revision}')
read -r badrev badreplicas <<<"$bad"
[ "${rev:-0}" -gt "${badrev:-0}" ] && [ "${badreplicas:-1}" = 0 ] || fail "rollback revision"
gen=$(d '{.metadata.generation}'); obs=$(d '{.status.observedGeneration}')
spec=$(d '{.spec.replicas}'); upd=$(d '{.status.updatedReplicas}'); avail=$(d '{.status.availableReplicas}'); total=$(d '{.status.replicas}')
[ "$obs" -ge "$gen" ] && [ "$upd" = "$spec" ] && [ "$avail" = "$spec" ] && [ "$total" = "$spec" ] || fail "rollback rollout"
exit $status
