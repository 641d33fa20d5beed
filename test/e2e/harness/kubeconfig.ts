import { writeFile } from 'node:fs/promises';

export type KubeUser = { clientCertPem: string; clientKeyPem: string } | { token: string };

const b64 = (s: string) => Buffer.from(s).toString('base64');

/**
 * Writes a single-context kubeconfig with everything inlined, so the file
 * can be copied or mounted without its cert files. JSON is valid YAML, and
 * kubectl, helm and @kubernetes/client-node all read it.
 */
export async function writeKubeconfig(
  path: string,
  server: string,
  caPem: string,
  user: KubeUser,
  name = 'e2e',
): Promise<void> {
  const cfg = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'e2e', cluster: { server, 'certificate-authority-data': b64(caPem) } }],
    users: [
      {
        name,
        user:
          'token' in user
            ? { token: user.token }
            : {
                'client-certificate-data': b64(user.clientCertPem),
                'client-key-data': b64(user.clientKeyPem),
              },
      },
    ],
    contexts: [{ name, context: { cluster: 'e2e', user: name } }],
    'current-context': name,
  };
  await writeFile(path, JSON.stringify(cfg, null, 2) + '\n', { mode: 0o600 });
}
