import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import { log, startProcess, waitFor, type Server } from './process.ts';
import { freePort } from '@ticketping/http/free-port';

/**
 * An envtest-style control plane: etcd, kube-apiserver and kube-controller-manager (so Deployments
 * get ReplicaSets and garbage collection works). No scheduler or kubelet: pods stay Pending.
 * Clients authenticate with a static admin token; the kubeconfig trusts the self-signed serving cert.
 */
export async function startKube(workDir: string, binDir: string): Promise<Server> {
  const dir = path.join(workDir, 'kube');
  await mkdir(path.join(dir, 'certs'), { recursive: true });
  const [etcdPort, etcdPeerPort, apiPort] = [await freePort(), await freePort(), await freePort()];

  log(`starting etcd on 127.0.0.1:${etcdPort}`);
  const etcdUrl = `http://127.0.0.1:${etcdPort}`;
  const peerUrl = `http://127.0.0.1:${etcdPeerPort}`;
  const etcd = startProcess(path.join(binDir, 'etcd'), ['--name', 'testenv', '--data-dir', path.join(dir, 'etcd'),
    '--listen-client-urls', etcdUrl, '--advertise-client-urls', etcdUrl, '--listen-peer-urls', peerUrl,
    '--initial-advertise-peer-urls', peerUrl, '--initial-cluster', `testenv=${peerUrl}`, '--unsafe-no-fsync',
    '--log-level', 'warn'], path.join(workDir, 'etcd.log'));
  await waitFor('etcd', async () => (await fetch(`${etcdUrl}/health`)).ok, 30_000, etcd);

  const token = randomBytes(24).toString('hex');
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  const saPub = path.join(dir, 'sa.pub');
  const saKey = path.join(dir, 'sa.key');
  const tokens = path.join(dir, 'tokens.csv');
  await writeFile(saPub, publicKey);
  await writeFile(saKey, privateKey, { mode: 0o600 });
  await writeFile(tokens, `${token},admin,admin,"system:masters"\n`, { mode: 0o600 });

  log(`starting kube-apiserver on https://127.0.0.1:${apiPort}`);
  const apiUrl = `https://127.0.0.1:${apiPort}`;
  const apiserver = startProcess(path.join(binDir, 'kube-apiserver'), ['--bind-address=127.0.0.1', '--advertise-address=127.0.0.1',
    `--secure-port=${apiPort}`, `--cert-dir=${path.join(dir, 'certs')}`, `--etcd-servers=${etcdUrl}`,
    '--service-cluster-ip-range=10.0.0.0/24', '--allow-privileged=true', '--authorization-mode=RBAC',
    '--disable-admission-plugins=ServiceAccount', `--token-auth-file=${tokens}`, `--service-account-issuer=${apiUrl}`,
    `--service-account-key-file=${saPub}`, `--service-account-signing-key-file=${saKey}`, '--enable-priority-and-fairness=false',
    '--v=0'], path.join(workDir, 'kube-apiserver.log'));
  const authorization = { authorization: `Bearer ${token}` };
  // The serving certificate is self-signed: only this readiness probe skips verification.
  const insecure = new https.Agent({ rejectUnauthorized: false });
  await waitFor('kube-apiserver', () => httpsOk(`${apiUrl}/readyz`, authorization, insecure), 120_000, apiserver);

  const kubeconfig = path.join(dir, 'kubeconfig');
  await writeFile(kubeconfig, [
    'apiVersion: v1', 'kind: Config', 'current-context: testenv', 'preferences: {}',
    'clusters:', '- name: testenv', '  cluster:', `    server: ${apiUrl}`, '    insecure-skip-tls-verify: true',
    'users:', '- name: admin', '  user:', `    token: ${token}`,
    'contexts:', '- name: testenv', '  context:', '    cluster: testenv', '    user: admin', '    namespace: default', '',
  ].join('\n'), { mode: 0o600 });

  log('starting kube-controller-manager');
  const controllerManager = startProcess(path.join(binDir, 'kube-controller-manager'), [`--kubeconfig=${kubeconfig}`,
    '--controllers=deployment-controller,replicaset-controller,garbage-collector-controller,namespace-controller',
    '--leader-elect=false', '--bind-address=127.0.0.1', '--secure-port=0', '--use-service-account-credentials=false',
    `--service-account-private-key-file=${saKey}`, '--v=0'], path.join(workDir, 'kube-controller-manager.log'));

  return {
    name: 'kube',
    env: { TICKETPING_KUBECONFIG: kubeconfig, KUBECONFIG: kubeconfig },
    async stop() {
      await controllerManager.stopGracefully();
      await apiserver.stopGracefully();
      await etcd.stopGracefully();
    },
  };
}

function httpsOk(url: string, headers: Record<string, string>, agent: https.Agent): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get(url, { headers, agent }, (res) => { res.resume(); resolve(res.statusCode === 200); });
    req.once('error', () => resolve(false));
    req.setTimeout(2000, () => req.destroy());
  });
}
