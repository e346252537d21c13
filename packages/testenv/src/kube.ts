import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import { log, startProcess, waitFor, type Server } from './process.ts';
import { freePort } from '@ticketping/http/free-port';

/** The fake Nodes kwok runs: one per zone, so topology spread and drains have somewhere to go. */
export const KWOK_NODES = ['kwok-node-a', 'kwok-node-b', 'kwok-node-c'];
/** A pod with this annotation is left alone by kwok, for a test that sets its status by hand. */
export const KWOK_MANUAL_STATUS = 'kwok.x-k8s.io/status=custom';

/**
 * A small cluster without containers: etcd, kube-apiserver, kube-controller-manager (Deployments get
 * ReplicaSets, PodDisruptionBudgets their status, Jobs their pods, garbage collection works), kube-scheduler, and kwok
 * in the kubelet's place for three fake Nodes. Pods are scheduled onto those Nodes and kwok reports
 * them Running and Ready at once (no container runs, no probe is checked), a Job's pods as Succeeded;
 * deleted pods go away. StatefulSets make pods too, and claims bind to PersistentVolumes a test
 * creates (no provisioner makes them). The binaries report their real version (stamped at build),
 * so charts with a `kubeVersion` install.
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
    // TaintNodesByCondition would taint each new Node not-ready, and only the node-lifecycle controller
    // (not run: it would evict pods from Nodes that send no heartbeats) takes that taint off.
    '--disable-admission-plugins=ServiceAccount,TaintNodesByCondition', `--token-auth-file=${tokens}`, `--service-account-issuer=${apiUrl}`,
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
    '--controllers=deployment-controller,replicaset-controller,statefulset-controller,persistentvolume-binder-controller,persistentvolume-protection-controller,persistentvolumeclaim-protection-controller,garbage-collector-controller,namespace-controller,disruption-controller,job-controller',
    '--leader-elect=false', '--bind-address=127.0.0.1', '--secure-port=0', '--use-service-account-credentials=false',
    `--service-account-private-key-file=${saKey}`, '--v=0'], path.join(workDir, 'kube-controller-manager.log'));

  log('starting kube-scheduler');
  const scheduler = startProcess(path.join(binDir, 'kube-scheduler'), [`--kubeconfig=${kubeconfig}`, '--leader-elect=false',
    '--bind-address=127.0.0.1', '--secure-port=0', '--v=0'], path.join(workDir, 'kube-scheduler.log'));

  log(`starting kwok for ${KWOK_NODES.length} fake nodes`);
  const kwok = startProcess(path.join(binDir, 'kwok'), [`--kubeconfig=${kubeconfig}`, `--config=${path.join(binDir, 'kwok-stages.yaml')}`,
    '--manage-all-nodes=false', '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
    `--disregard-status-with-annotation-selector=${KWOK_MANUAL_STATUS}`, '--cidr=10.244.0.0/16', '--node-ip=127.0.0.1',
    `--server-address=127.0.0.1:${await freePort()}`], path.join(workDir, 'kwok.log'));
  const api = (method: string, apiPath: string, body?: unknown) => httpsJson(method, `${apiUrl}${apiPath}`, authorization, insecure, body);
  for (const [i, name] of KWOK_NODES.entries()) {
    const zone = `zone-${String.fromCharCode(97 + i)}`;
    await api('POST', '/api/v1/nodes', {
      apiVersion: 'v1', kind: 'Node',
      metadata: {
        name, annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
        labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'kwok',
          'topology.kubernetes.io/zone': zone },
      },
    });
  }
  // Until kwok has marked a Node Ready it has no allocatable resources and nothing fits on it.
  await waitFor('kwok nodes', async () => {
    const nodes = await api('GET', '/api/v1/nodes') as { items: { status?: { conditions?: { type: string; status: string }[] } }[] };
    return nodes.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === KWOK_NODES.length;
  }, 30_000, kwok);

  return {
    name: 'kube',
    env: { TICKETPING_KUBECONFIG: kubeconfig, KUBECONFIG: kubeconfig },
    async stop() {
      await kwok.stopGracefully();
      await scheduler.stopGracefully();
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

function httpsJson(method: string, url: string, headers: Record<string, string>, agent: https.Agent, body?: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers: { ...headers, accept: 'application/json', 'content-type': 'application/json' }, agent }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.once('end', () => {
        if ((res.statusCode ?? 500) >= 300) return reject(new Error(`${method} ${url}: ${res.statusCode} ${text}`));
        resolve(JSON.parse(text));
      });
    });
    req.once('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
