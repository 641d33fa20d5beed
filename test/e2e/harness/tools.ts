import { fileURLToPath } from 'node:url';
import { runOk } from './exec.js';

export const SCRIPTS_DIR = fileURLToPath(new URL('../scripts/', import.meta.url));

export interface Tools {
  kubectl: string;
  helm: string;
  kubeApiserver: string;
  etcd: string;
  /** The node (node.ts): built from the same Kubernetes release as kubeApiserver. */
  kubelet: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kubeProxy: string;
  containerd: string;
  ctr: string;
  cniBinDir: string;
  pauseImageTar: string;
  pauseImageRef: string;
}

let cached: Promise<Tools> | undefined;

/**
 * Paths of the control-plane binaries, fetched/built on first use by
 * scripts/ensure-tools.sh (cached on disk; a cold machine builds
 * kube-apiserver, which takes minutes: see test/e2e/README.md).
 */
export function ensureTools(): Promise<Tools> {
  cached ??= (async () => {
    // The build log goes to stderr; tee it so a cold build shows progress.
    const r = await runOk('bash', [SCRIPTS_DIR + 'ensure-tools.sh'], {
      timeoutMs: 60 * 60_000,
      teeStderr: true,
    });
    const vars = new Map<string, string>();
    for (const line of r.stdout.split('\n')) {
      const m = /^([A-Z_]+)=(.+)$/.exec(line.trim());
      if (m?.[1] && m[2]) vars.set(m[1], m[2]);
    }
    const get = (k: string) => {
      const v = vars.get(k);
      if (!v) throw new Error(`ensure-tools.sh did not print ${k}=\n${r.stdout}`);
      return v;
    };
    return {
      kubectl: get('KUBECTL'),
      helm: get('HELM'),
      kubeApiserver: get('KUBE_APISERVER'),
      etcd: get('ETCD'),
      kubelet: get('KUBELET'),
      kubeControllerManager: get('KUBE_CONTROLLER_MANAGER'),
      kubeScheduler: get('KUBE_SCHEDULER'),
      kubeProxy: get('KUBE_PROXY'),
      containerd: get('CONTAINERD'),
      ctr: get('CTR'),
      cniBinDir: get('CNI_BIN_DIR'),
      pauseImageTar: get('PAUSE_IMAGE_TAR'),
      pauseImageRef: get('PAUSE_IMAGE_REF'),
    };
  })();
  cached.catch(() => (cached = undefined)); // let a later call retry
  return cached;
}
