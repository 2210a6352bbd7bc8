#!/usr/bin/env bats
# ztc.sh's Kubernetes helpers against a stand-in kubectl that answers as the real one does.

load helper

setup() {
  common_setup
}

nodes() { # NODES_JSON: kubectl get nodes -o json answers it
  stub kubectl "[[ \$* == 'get nodes -o json' ]] && printf '%s\n' '$1'"
}

@test "nodes_not_ready: a node without conditions yet is not Ready (no jq error)" {
  nodes '{"items":[{"metadata":{"name":"cp-1"},"status":{"conditions":[{"type":"Ready","status":"True"}]}},{"metadata":{"name":"w-1"},"status":{}},{"metadata":{"name":"w-2"},"status":{"conditions":[{"type":"Ready","status":"False"}]}}]}'
  run script 'ztc::k8s::nodes_not_ready'
  [ "$status" -eq 0 ]
  [ "$output" = $'w-1\nw-2' ]
  run script 'ztc::k8s::nodes_ready || echo "not ready"'
  [ "$output" = 'not ready' ]
}

@test "nodes_ready: every node Ready; an empty node list or a failing kubectl is not ready" {
  nodes '{"items":[{"metadata":{"name":"cp-1"},"status":{"conditions":[{"type":"Ready","status":"True"}]}}]}'
  run script 'ztc::k8s::nodes_ready && echo ready'
  [ "$output" = 'ready' ]
  nodes '{"items":[]}'
  run script 'ztc::k8s::nodes_ready || echo "not ready"'
  [ "$output" = 'not ready' ]
  stub kubectl 'echo "The connection to the server was refused" >&2; exit 1'
  run script 'ztc::k8s::nodes_ready || echo "not ready"'
  [ "$output" = 'not ready' ]
  run script 'ztc::k8s::nodes_not_ready || echo "failed: $?"'
  [[ $output == *'failed: 1' ]]
}

@test "wait_rollout: waits for kubectl rollout status, and fails closed when kubectl fails" {
  stub kubectl '[[ -e '"$BATS_TEST_TMPDIR"'/ok ]] || { touch '"$BATS_TEST_TMPDIR"'/ok; exit 1; }'
  run script 'ztc::k8s::wait_rollout argocd deployment/argocd-server && echo rolled-out'
  [ "$status" -eq 0 ]
  [ "$output" = 'rolled-out' ]
  [ "$(head -1 calls.log)" = 'kubectl --namespace argocd rollout status deployment/argocd-server --timeout=10s' ]
  stub kubectl 'exit 1'
  export ZTC_STEP_DEADLINE=$(($(date +%s) + 1))
  run script 'ztc::k8s::wait_rollout argocd deployment/argocd-server "the Argo CD server" || echo "status $?"'
  [[ ${lines[0]} == 'WARNING: gave up waiting for the Argo CD server after '* ]]
  [ "${lines[1]}" = 'status 1' ]
}

@test "ensure_namespace and apply: server-side, field manager ztc, the manifest on stdin; --force-conflicts where asked" {
  stub kubectl 'if [[ $1 == create ]]; then echo "kind: Namespace"; else cat >'"$BATS_TEST_TMPDIR"'/applied; fi'
  run script 'ztc::k8s::ensure_namespace argocd'
  [ "$status" -eq 0 ]
  # Both ends of the pipe log at once: compare in sorted order.
  [ "$(sort calls.log)" = $'kubectl apply --server-side --field-manager=ztc -f -\nkubectl create namespace argocd --dry-run=client -o yaml' ]
  [ "$(cat applied)" = 'kind: Namespace' ]
  rm calls.log
  run script 'ztc::k8s::apply --force-conflicts -k dir'
  [ "$(cat calls.log)" = 'kubectl apply --server-side --force-conflicts --field-manager=ztc -k dir' ]
}

@test "crd_established: only an Established=True condition counts" {
  stub kubectl 'printf "%s\n" "{\"status\":{\"conditions\":[{\"type\":\"Established\",\"status\":\"$([[ $3 == good.example.io ]] && echo True || echo False)\"}]}}"'
  run script 'ztc::k8s::crd_established good.example.io && echo yes; ztc::k8s::crd_established bad.example.io || echo no'
  [ "$output" = $'yes\nno' ]
}

@test "node_ready: only that Node with Ready=True; a missing Node or a failing kubectl is not ready" {
  stub kubectl '[[ $* == "get node cp-1 -o json" ]] && echo '"'"'{"metadata":{"name":"cp-1"},"status":{"conditions":[{"type":"Ready","status":"True"}]}}'"'"' && exit 0
[[ $* == "get node w-1 -o json" ]] && echo '"'"'{"metadata":{"name":"w-1"},"status":{}}'"'"' && exit 0
echo "Error from server (NotFound): nodes \"$3\" not found" >&2; exit 1'
  run script 'ztc::k8s::node_ready cp-1 && echo ready; ztc::k8s::node_ready w-1 || echo "w-1 not ready"; ztc::k8s::node_ready gone || echo "gone not ready"'
  [ "$status" -eq 0 ]
  [ "$output" = $'ready\nw-1 not ready\ngone not ready' ]
}

@test "drain: cordon first, then drain bounded by the step's deadline; drain's failure is returned" {
  stub kubectl '[[ $1 == drain ]] && exit 3; exit 0'
  export ZTC_STEP_DEADLINE=$(($(date +%s) + 100)) ZTC_WAIT_MARGIN=0
  run script 'ztc::k8s::drain w-1 || echo "status $?"'
  [ "$output" = 'status 3' ]
  [ "$(sed -n 1p calls.log)" = 'kubectl cordon w-1' ]
  [[ $(sed -n 2p calls.log) =~ ^'kubectl drain w-1 --ignore-daemonsets --delete-emptydir-data --timeout='(99|100)s$ ]]
}

@test "api_answers: the API answering /readyz; a refused connection tried 3 times; no kubeconfig is no API" {
  touch kubeconfig
  export KUBECONFIG=$BATS_TEST_TMPDIR/kubeconfig
  stub kubectl '[[ $* == "get --raw /readyz --request-timeout=10s" ]] && echo ok'
  run script 'ztc::k8s::api_answers && echo answers'
  [ "$output" = 'answers' ]
  stub kubectl 'echo "The connection to the server 10.0.0.1:6443 was refused" >&2; exit 1'
  : >calls.log
  run script 'ztc::k8s::api_answers || echo "no answer"'
  [ "$output" = 'no answer' ]
  # Each try is bounded: an API server that takes the connection and never answers is no API, not a hang.
  [ "$(grep -c 'kubectl get --raw /readyz --request-timeout=10s' calls.log)" -eq 3 ]
  : >calls.log
  KUBECONFIG=$BATS_TEST_TMPDIR/missing run script 'ztc::k8s::api_answers || echo "no answer"'
  [ "$output" = 'no answer' ]
  [ ! -s calls.log ]
}
