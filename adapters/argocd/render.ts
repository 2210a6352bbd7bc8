/**
 * argocd: the install kustomization (upstream install.yaml of the pinned version as its remote base, the
 * KSOPS repo-server patch with the Age key mounted, `kustomize.buildOptions` for exec plugins), the
 * platform's AppProject and the root Application (app of apps): it applies every `*\/app.yaml` under the
 * platform's generated/ folder in the control-plane repository, where consumers of gitops-platform render
 * their Applications. Repository credentials and the admin password hold secrets: bootstrap makes them.
 */
import { stringify } from 'yaml';
import { defineRender } from '@ztc/engine';

export interface ArgocdConfig {
  version: string;
  namespace: string;
  control_plane_repo_url?: string;
  platform_repo_url?: string;
  control_plane_repo_branch?: string;
  platform_repo_branch?: string;
  overlay_environment: string;
  mode: string;
  ksops_version: string;
}

interface Capabilities {
  'secrets-management': { sops_config_state_file: string; key_secret: { namespace: string; name: string; key: string } };
  'git-credentials': { app_id: string; installation_id: string; private_key_env: string; repositories: Record<string, string> };
}

/** Argo CD's workloads in install.yaml (v3.x), which bootstrap waits for. */
export const COMPONENTS = {
  deployments: ['argocd-applicationset-controller', 'argocd-dex-server', 'argocd-notifications-controller', 'argocd-redis', 'argocd-repo-server', 'argocd-server'],
  statefulsets: ['argocd-application-controller'],
};
/** install.yaml's ClusterRoleBindings, whose subjects name the namespace "argocd". */
const CLUSTER_ROLE_BINDINGS = ['argocd-application-controller', 'argocd-applicationset-controller', 'argocd-server'];
const AGE_KEY_DIR = '/.config/sops/age';
const IN_CLUSTER = 'https://kubernetes.default.svc';

export function installUrl(version: string): string {
  return `https://raw.githubusercontent.com/argoproj/argo-cd/${version}/manifests/install.yaml`;
}

function repoServerPatch(config: ArgocdConfig, key: Capabilities['secrets-management']['key_secret']): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'argocd-repo-server' },
    spec: {
      template: {
        spec: {
          volumes: [
            { name: 'custom-tools', emptyDir: {} },
            { name: 'sops-age', secret: { secretName: key.name } },
          ],
          initContainers: [
            {
              name: 'install-ksops',
              image: `viaductoss/ksops:${config.ksops_version}`,
              command: ['/usr/local/bin/ksops', 'install', '--with-kustomize', '/custom-tools'],
              volumeMounts: [{ mountPath: '/custom-tools', name: 'custom-tools' }],
            },
          ],
          containers: [
            {
              name: 'argocd-repo-server',
              env: [{ name: 'SOPS_AGE_KEY_FILE', value: `${AGE_KEY_DIR}/${key.key}` }],
              volumeMounts: [
                { mountPath: '/usr/local/bin/kustomize', name: 'custom-tools', subPath: 'kustomize' },
                { mountPath: '/usr/local/bin/ksops', name: 'custom-tools', subPath: 'ksops' },
                { mountPath: AGE_KEY_DIR, name: 'sops-age', readOnly: true },
              ],
            },
          ],
        },
      },
    },
  };
}

export const render = defineRender<ArgocdConfig, Capabilities>((config, platform, caps) => {
  const key = caps['secrets-management'].key_secret;
  if (key.namespace !== config.namespace) {
    throw new Error(`ksops puts the Age key into namespace "${key.namespace}" but Argo CD runs in "${config.namespace}": set ksops.argocd_namespace: ${config.namespace}`);
  }
  const git = caps['git-credentials'];
  if (git.private_key_env !== 'GITHUB_APP_PRIVATE_KEY') {
    throw new Error(`git-credentials names the App key ${git.private_key_env}; this adapter's repositories step reads GITHUB_APP_PRIVATE_KEY`);
  }
  const repoUrl = config.control_plane_repo_url ?? config.platform_repo_url ?? `${git.repositories.control_plane}.git`;
  const revision = config.platform_repo_branch ?? config.control_plane_repo_branch ?? 'main';
  const project = platform.name;
  const generatedPath = `platforms/${platform.name}/generated`;
  const rootName = `${platform.name}-root`;

  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    namespace: config.namespace,
    resources: [installUrl(config.version)],
    patches: [
      { path: 'repo-server-ksops.yaml' },
      { path: 'argocd-cm.yaml' },
      ...(config.namespace === 'argocd'
        ? []
        : CLUSTER_ROLE_BINDINGS.map((name) => ({
            target: { kind: 'ClusterRoleBinding', name },
            patch: stringify([{ op: 'replace', path: '/subjects/0/namespace', value: config.namespace }]),
          }))),
    ],
  };
  const argocdCm = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'argocd-cm', labels: { 'app.kubernetes.io/name': 'argocd-cm', 'app.kubernetes.io/part-of': 'argocd' } },
    data: { 'kustomize.buildOptions': '--enable-alpha-plugins --enable-exec' },
  };
  const appProject = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: project, namespace: config.namespace },
    spec: {
      description: `Platform ${platform.name}, managed by ztc`,
      sourceRepos: ['*'],
      destinations: [{ server: IN_CLUSTER, namespace: '*' }],
      clusterResourceWhitelist: [{ group: '*', kind: '*' }],
    },
  };
  const rootApp = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: rootName,
      namespace: config.namespace,
      labels: { 'ztc.dev/platform': platform.name, 'ztc.dev/environment': config.overlay_environment, 'ztc.dev/mode': config.mode },
    },
    spec: {
      project,
      source: { repoURL: repoUrl, targetRevision: revision, path: generatedPath, directory: { recurse: true, include: '*/app.yaml' } },
      destination: { server: IN_CLUSTER, namespace: config.namespace },
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] },
    },
  };
  const files = {
    'argocd/install/kustomization.yaml': stringify(kustomization),
    'argocd/install/repo-server-ksops.yaml': stringify(repoServerPatch(config, key)),
    'argocd/install/argocd-cm.yaml': stringify(argocdCm),
    'argocd/root/project.yaml': stringify(appProject),
    'argocd/root/root-app.yaml': stringify(rootApp),
  };
  const common = { namespace: config.namespace };
  const repositories = Object.entries(git.repositories).map(([role, url]) => ({ name: `repo-${role.replace(/_/g, '-')}`, url: `${url}.git` }));
  return {
    files,
    capabilities: {
      'gitops-platform': {
        provider: 'argocd',
        version: config.version,
        namespace: config.namespace,
        project,
        repo_url: repoUrl,
        revision,
        generated_path: generatedPath,
        app_manifest: 'app.yaml',
      },
    },
    scriptContext: {
      install: { ...common, kustomization: 'argocd/install', version: config.version, components: COMPONENTS },
      'admin-password': common,
      repositories: { ...common, app_id: git.app_id, installation_id: git.installation_id, repositories },
      'root-app': { ...common, manifests: ['argocd/root/project.yaml', 'argocd/root/root-app.yaml'] },
      wait: { ...common, components: COMPONENTS, root_app: rootName },
      validate: { ...common, version: config.version, components: COMPONENTS, root_app: rootName, sops_config_state_file: caps['secrets-management'].sops_config_state_file },
      'delete-apps': { ...common, root_app: rootName },
      uninstall: common,
    },
  };
});
