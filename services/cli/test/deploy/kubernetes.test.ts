/* eslint-disable @typescript-eslint/no-explicit-any -- rendered manifests are walked as plain JSON; the schema check is what holds them to the API */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ALERTER_NODE_FLAGS } from '@hostwatch/alerter';
import { repo, run } from './deploy-paths.js';

/** One rendered object, loosely typed: the schema check below is what holds it to the API. */
interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
  };
  readonly spec?: Record<string, any>;
  readonly data?: Record<string, string>;
}

const overlaysDir = join(repo, 'deploy', 'k8s', 'overlays');
const CLUSTER_SCOPED = new Set(['Namespace']);

async function render(dir: string): Promise<K8sObject[]> {
  const { stdout } = await run('kubectl', ['kustomize', dir]);
  return parseAllDocuments(stdout).map((d) => d.toJS() as K8sObject);
}

/**
 * Validates `object` offline against the Kubernetes OpenAPI schema of its apiVersion and kind, as
 * compiled into the kubernetes-models package; resolves to the problems found.
 */
async function schemaProblems(object: K8sObject): Promise<string[]> {
  let group: Record<string, unknown>;
  try {
    group = (await import(`kubernetes-models/${object.apiVersion}`)) as Record<string, unknown>;
  } catch {
    return [`no schema for apiVersion ${object.apiVersion}`];
  }
  const Model = group[object.kind] as (new (data: unknown) => { validate(): void }) | undefined;
  if (!Model) return [`no schema for ${object.apiVersion} ${object.kind}`];
  // kustomize folds long base64 values over lines; the API server's decoder (Go's base64) skips
  // line breaks, the schema's "byte" format does not: compare what the server would decode.
  const data = object.kind === 'Secret' && object.data ? object.data : undefined;
  const normal = data
    ? {
        ...object,
        data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.replace(/[\r\n]/g, '')])),
      }
    : object;
  try {
    new Model(normal).validate();
    return [];
  } catch (err) {
    return [(err as Error).message];
  }
}

const modelsDir = dirname(createRequire(import.meta.url).resolve('kubernetes-models/package.json'));

/**
 * Fields the API does not know, anywhere in the objects: each object becomes a TypeScript literal
 * typed with the kubernetes-models interface of its kind (generated from the same OpenAPI schemas),
 * and the compiler's excess-property check names every field that is not in the schema, as
 * `kubectl --validate=strict` would. Resolves to the compiler's messages.
 */
async function unknownFields(objects: readonly K8sObject[]): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'deploy-k8s-strict-'));
  try {
    const file = join(dir, 'manifests.ts');
    const lines = objects.map(
      (o, i) =>
        `import type { I${o.kind} as T${i} } from 'kubernetes-models/${o.apiVersion}/${o.kind}';\n` +
        `export const o${i}: T${i} = ${JSON.stringify(o)};`,
    );
    await writeFile(file, lines.join('\n'));
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      paths: { 'kubernetes-models/*': [`${modelsDir}/*`] },
    });
    return ts.getPreEmitDiagnostics(program).map((d) => {
      const text = ts.flattenDiagnosticMessageText(d.messageText, ' ');
      const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
      const object = objects[Math.floor(at / 2)];
      return object ? `${object.kind} ${object.metadata.name}: ${text}` : text;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const rendered = new Map<string, K8sObject[]>();
const find = (objects: K8sObject[], kind: string, name: string): K8sObject => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};

beforeAll(async () => {
  for (const name of await readdir(overlaysDir)) rendered.set(name, await render(join(overlaysDir, name)));
});

describe('deploy/k8s', () => {
  it('has the overlays dev and production, and kubectl kustomize renders each', () => {
    expect([...rendered.keys()].sort()).toEqual(['dev', 'production']);
    for (const [name, objects] of rendered) expect(objects.length, name).toBeGreaterThan(20);
  });

  it('every rendered object validates against the Kubernetes schemas, offline', async () => {
    for (const [overlay, objects] of rendered) {
      for (const object of objects) {
        expect(await schemaProblems(object), `${overlay}: ${object.kind} ${object.metadata.name}`).toEqual(
          [],
        );
      }
    }
  });

  it('no rendered object has a field the Kubernetes API does not know (strict)', async () => {
    for (const [overlay, objects] of rendered) expect(await unknownFields(objects), overlay).toEqual([]);
  });

  it('the strict check names a misspelled field, so the check above can fail', async () => {
    const api = find(rendered.get('dev') ?? [], 'Deployment', 'api');
    const broken = structuredClone(api) as any;
    broken.spec.template.spec.containers[0].readinesProbe =
      broken.spec.template.spec.containers[0].readinessProbe;
    expect((await unknownFields([broken as K8sObject])).join('\n')).toMatch(
      /Deployment api: Object literal may only specify known properties.*readinesProbe/,
    );
  });

  it('the schema check refuses a broken object, so the check above can fail', async () => {
    const api = find(rendered.get('dev') ?? [], 'Deployment', 'api');
    const broken = structuredClone(api) as any;
    broken.spec.template.spec.containers[0].ports[0].containerPort = 'eighty';
    broken.spec.replicas = 'two';
    const problems = await schemaProblems(broken as K8sObject);
    expect(problems.join('\n')).toMatch(/containerPort must be integer/);
    expect(await schemaProblems({ ...api, apiVersion: 'apps/v0' })).toEqual([
      'no schema for apiVersion apps/v0',
    ]);
  });

  it('puts everything in namespace hostwatch', () => {
    for (const [overlay, objects] of rendered) {
      for (const o of objects) {
        if (CLUSTER_SCOPED.has(o.kind)) continue;
        expect(o.metadata.namespace, `${overlay}: ${o.kind} ${o.metadata.name}`).toBe('hostwatch');
      }
      expect(find(objects, 'Namespace', 'hostwatch')).toBeDefined();
    }
  });

  it('runs a 3-node NATS JetStream cluster with persistent volumes, one server per node in production', () => {
    for (const [overlay, objects] of rendered) {
      const nats = find(objects, 'StatefulSet', 'nats');
      expect(nats.spec?.['replicas'], overlay).toBe(3);
      expect(nats.spec?.['volumeClaimTemplates'][0].metadata.name).toBe('data');
      const anti = nats.spec?.['template'].spec.affinity.podAntiAffinity;
      const config = find(objects, 'ConfigMap', nats.spec?.['template'].spec.volumes[0].configMap.name);
      expect(config.data?.['nats.conf']).toMatch(/^\s*sync_interval: 1s$/m);
      expect(config.data?.['nats.conf']).toMatch(/nats-route:\/\/nats-2\.nats-headless:6222/);
      if (overlay === 'production')
        expect(anti.requiredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
      else expect(anti.preferredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
      expect(find(objects, 'PodDisruptionBudget', 'nats').spec?.['maxUnavailable']).toBe(1);
    }
  });

  it('gives ingest, alerter and api probes, resources and a PodDisruptionBudget, and asks for a replicated stream', () => {
    for (const [overlay, objects] of rendered) {
      for (const name of ['ingest', 'alerter', 'api']) {
        const deployment = find(objects, 'Deployment', name);
        const pod = deployment.spec?.['template'].spec;
        for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
          expect(c.resources.requests.memory, `${overlay} ${name}/${c.name}`).toBeDefined();
          expect(c.resources.limits.memory, `${overlay} ${name}/${c.name}`).toBeDefined();
          expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
        }
        expect(pod.securityContext.runAsNonRoot).toBe(true);
        const container = pod.containers[0];
        expect(container.readinessProbe.httpGet.path).toBe('/readyz');
        expect(container.livenessProbe.httpGet.path).toBe('/healthz');
        const pdb = find(objects, 'PodDisruptionBudget', name);
        expect(pdb.spec?.['selector'].matchLabels).toEqual(deployment.spec?.['selector'].matchLabels);
        if (name !== 'api') {
          expect(container.env).toContainEqual({ name: 'STREAM_REPLICAS', value: '3' });
        }
        expect(container.env.find((e: { name: string }) => e.name === 'NATS_NKEY_SEED_FILE').value).toContain(
          `${name}.nk`,
        );
      }
    }
  });

  it('runs the agent on every node with the host /proc and /var/log read-only, and the rules as a ConfigMap', () => {
    for (const [overlay, objects] of rendered) {
      const agent = find(objects, 'DaemonSet', 'agent').spec?.['template'].spec;
      expect(agent.tolerations, overlay).toContainEqual({ operator: 'Exists' });
      const hostPaths = Object.fromEntries(
        agent.volumes.filter((v: any) => v.hostPath).map((v: any) => [v.name, v.hostPath.path]),
      );
      const mounts = agent.containers[0].volumeMounts;
      for (const [volume, path] of [
        ['proc', '/proc'],
        ['log', '/var/log'],
      ]) {
        expect(hostPaths[volume as string]).toBe(path);
        expect(mounts).toContainEqual(expect.objectContaining({ name: volume, readOnly: true }));
      }
      const alerter = find(objects, 'Deployment', 'alerter').spec?.['template'].spec;
      const rules = find(
        objects,
        'ConfigMap',
        alerter.volumes.find((v: any) => v.name === 'rules').configMap.name,
      );
      expect(rules.data?.['rules.xml']).toContain('<clients>');
    }
  });

  it("starts the alerter with its Node flags, through the image's entrypoint", async () => {
    const dockerfile = await readFile(join(repo, 'Dockerfile'), 'utf8');
    const entrypoint = JSON.parse(/^ENTRYPOINT (.*)$/m.exec(dockerfile)?.[1] ?? 'null') as string[];
    for (const [overlay, objects] of rendered) {
      const container = find(objects, 'Deployment', 'alerter').spec?.['template'].spec.containers[0];
      expect(container.command, overlay).toEqual([entrypoint[0], ...ALERTER_NODE_FLAGS, ...entrypoint.slice(1)]);
      expect(container.args, overlay).toEqual(['alerter']);
    }
  });

  it('uses PostgreSQL in the cluster in dev and an external DATABASE_URL in production', () => {
    const dev = rendered.get('dev') ?? [];
    const production = rendered.get('production') ?? [];
    expect(find(dev, 'StatefulSet', 'postgres').spec?.['volumeClaimTemplates']).toHaveLength(1);
    expect(production.some((o) => o.metadata.name === 'postgres')).toBe(false);
    // Production's Secrets are the operator's: none is rendered, so an apply never overwrites one.
    expect(production.filter((o) => o.kind === 'Secret')).toEqual([]);
    const envFrom = find(production, 'Deployment', 'ingest').spec?.['template'].spec.containers[0].envFrom;
    expect(envFrom).toContainEqual({ secretRef: { name: 'hostwatch-database' } });
  });

  it('denies all traffic by default and opens only what each piece needs', () => {
    for (const [overlay, objects] of rendered) {
      const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
      const deny = find(policies, 'NetworkPolicy', 'default-deny');
      expect(deny.spec, overlay).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
      const nats = find(policies, 'NetworkPolicy', 'nats').spec;
      const routes = nats?.['ingress'].find((r: any) => r.ports.some((p: any) => p.port === 6222));
      expect(routes.from).toEqual([{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'nats' } } }]);
    }
  });
});
