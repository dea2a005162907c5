import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CORE_SCHEMA, load, loadAll, mergeTag } from 'js-yaml';
import { REPO } from './support/exported-metrics';

/**
 * infra/k8s: every manifest parses and is listed in the kustomization, each app gets every
 * variable its config class declares (read from the sources), and images, commands, ports and
 * Kafka settings agree with docker-compose.yml, the reference the apps are run with locally.
 */
const K8S = join(REPO, 'infra/k8s');
const APPS = ['ingest-api', 'query-api', 'projector'] as const;

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are untyped YAML */
type Doc = Record<string, any>;

const manifestFiles = (): string[] => readdirSync(K8S).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
const kustomization = (): Doc => load(readFileSync(join(K8S, 'kustomization.yaml'), 'utf8')) as Doc;
const docs = (): Doc[] => manifestFiles().flatMap((f) => (loadAll(readFileSync(join(K8S, f), 'utf8')) as Doc[]).filter(Boolean));
const find = (kind: string, name: string): Doc => {
  const found = docs().find((d) => d.kind === kind && d.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in infra/k8s`);
  return found;
};
// docker-compose.yml shares the apps' settings with `<<: *app` merge keys (not in YAML 1.2's core schema).
const compose = (): Doc => load(readFileSync(join(REPO, 'docker-compose.yml'), 'utf8'), { schema: CORE_SCHEMA.withTags(mergeTag) }) as Doc;
const podSpec = (workload: Doc): Doc => workload.spec.template.spec;
const container = (workload: Doc): Doc => podSpec(workload).containers[0];

/** Names of the variables a config class declares, and those its own class gives a value by `override`. */
const declaredVariables = (file: string): { names: string[]; overridden: string[] } => {
  const text = readFileSync(join(REPO, file), 'utf8');
  const props = [...text.matchAll(/^ {2}(override\s+)?([A-Z][A-Z0-9_]*)\s*(?::[^=;\n]+)?\s*[=;]/gm)];
  return { names: props.map((m) => m[2]), overridden: props.filter((m) => m[1]).map((m) => m[2]) };
};
const configFileOf = (app: string): string => {
  const file = readdirSync(join(REPO, 'apps', app, 'src')).find((f) => f.endsWith('.config.ts'));
  if (!file) throw new Error(`apps/${app}/src has no *.config.ts`);
  return `apps/${app}/src/${file}`;
};

/** Every variable a container gets, with its value when it is known from the manifests. */
const environmentOf = (c: Doc): Map<string, string> => {
  const env = new Map<string, string>();
  for (const source of c.envFrom ?? []) {
    const data = source.configMapRef ? find('ConfigMap', source.configMapRef.name).data : find('Secret', source.secretRef.name).stringData;
    for (const [k, v] of Object.entries(data ?? {})) env.set(k, String(v));
  }
  for (const e of c.env ?? []) {
    if ('value' in e) env.set(e.name, String(e.value));
    else if (e.valueFrom?.secretKeyRef) {
      const { name, key } = e.valueFrom.secretKeyRef;
      const value = find('Secret', name).stringData?.[key];
      if (value === undefined) throw new Error(`${e.name}: Secret ${name} has no key ${key}`);
      env.set(e.name, String(value));
    } else if (e.valueFrom?.configMapKeyRef) {
      const { name, key } = e.valueFrom.configMapKeyRef;
      const value = find('ConfigMap', name).data?.[key];
      if (value === undefined) throw new Error(`${e.name}: ConfigMap ${name} has no key ${key}`);
      env.set(e.name, String(value));
    } else env.set(e.name, '<from the pod>');
  }
  return env;
};

const selects = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);
const imageName = (image: string): string => image.replace(/:[^/:]+$/, '');

const kubectl = ((): string | undefined => {
  const found = spawnSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
})();
if (!kubectl) console.log('kubectl not found on PATH: `kubectl kustomize infra/k8s` is not checked (the YAML checks still run)');

describe('infra/k8s manifests', () => {
  it('parse, each document has apiVersion/kind/name, and the kustomization lists exactly the manifest files', () => {
    for (const d of docs()) {
      expect(d).toEqual(expect.objectContaining({ apiVersion: expect.any(String), kind: expect.any(String), metadata: expect.objectContaining({ name: expect.any(String) }) }));
    }
    expect([...kustomization().resources].sort()).toEqual(manifestFiles().sort());
  });

  (kubectl ? it : it.skip)('render with `kubectl kustomize` (kustomize built into kubectl)', () => {
    const result = spawnSync(kubectl as string, ['kustomize', K8S], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const rendered = (loadAll(result.stdout) as Doc[]).filter(Boolean);
    expect(rendered.every((d) => d.kind === 'Namespace' || d.metadata.namespace === 'consultation')).toBe(true);
  });

  it('give every app every variable its config class declares (a value the class sets by override may be left out)', () => {
    const common = declaredVariables('libs/config/src/common.config.ts');
    expect(common.names).toEqual(expect.arrayContaining(['KAFKA_BROKERS', 'DATABASE_URL', 'REDIS_URL', 'TOKEN_SECRET']));
    for (const app of APPS) {
      const own = declaredVariables(configFileOf(app));
      expect(own.names).toContain('PORT');
      const required = [...new Set([...common.names, ...own.names])].filter((n) => !own.overridden.includes(n));
      const env = environmentOf(container(find('Deployment', app)));
      expect({ app, missing: required.filter((n) => !env.has(n)) }).toEqual({ app, missing: [] });
    }
  });

  it('point the query-api at the read replica and the writers at the primary', () => {
    const host = (app: string): string => new URL(environmentOf(container(find('Deployment', app))).get('DATABASE_URL') ?? '').hostname;
    expect(host('query-api')).toBe('postgres-replica');
    expect(host('ingest-api')).toBe('postgres-primary');
    expect(host('projector')).toBe('postgres-primary');
    expect(new URL(environmentOf(container(find('Job', 'migrate'))).get('DATABASE_URL') ?? '').hostname).toBe('postgres-primary');
    expect(find('Service', 'postgres-replica').spec.selector).toEqual(find('StatefulSet', 'postgres-replica').spec.template.metadata.labels);
    expect(find('Service', 'postgres-primary').spec.selector).toEqual(find('StatefulSet', 'postgres-primary').spec.template.metadata.labels);
  });

  it('point the query-api at the Redis generation pointer the projector writes (read-model rebuilds)', () => {
    const source = readFileSync(join(REPO, 'apps/projector/src/rebuild/redis-generation.ts'), 'utf8');
    const suffix = /pointerKeyOf = \((\w+): string\): string => `\$\{\1\}([^`]*)`/.exec(source)?.[2];
    expect(suffix).toEqual(expect.any(String));
    const query = environmentOf(container(find('Deployment', 'query-api')));
    expect(query.get('REDIS_PROJECTION_POINTER')).toBe(`${query.get('REDIS_PROJECTION_PREFIX')}${suffix}`);
    expect(environmentOf(container(find('Deployment', 'projector'))).get('REDIS_PROJECTION_PREFIX')).toBe(query.get('REDIS_PROJECTION_PREFIX'));
  });

  it('run ingest and query with 3 replicas and an HPA, the projector with at most as many pods as the votes topic has partitions', () => {
    for (const app of ['ingest-api', 'query-api']) {
      expect(find('Deployment', app).spec.replicas).toBe(3);
      const hpa = find('HorizontalPodAutoscaler', app);
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: app });
      expect(hpa.spec.minReplicas).toBe(3);
    }
    const topics = JSON.parse(readFileSync(join(REPO, 'infra/kafka/topics.json'), 'utf8')) as { topics: { name: string; partitions: number }[] };
    const votes = topics.topics.find((t) => t.name === 'votes')?.partitions ?? 0;
    expect(votes).toBeGreaterThan(1);
    expect(find('Deployment', 'projector').spec.replicas).toBeLessThanOrEqual(votes);
    expect(readFileSync(join(K8S, 'projector.yaml'), 'utf8')).toContain(`${votes} partitions`);
    const projectorHpa = docs().find((d) => d.kind === 'HorizontalPodAutoscaler' && d.spec.scaleTargetRef.name === 'projector');
    expect(projectorHpa === undefined || projectorHpa.spec.maxReplicas <= votes).toBe(true);
  });

  it('probe every app on /health/live and /health/ready of its own port, set resources, and protect it with a PodDisruptionBudget', () => {
    for (const app of APPS) {
      const deployment = find('Deployment', app);
      const c = container(deployment);
      const portName = c.ports[0].name;
      expect(c.livenessProbe.httpGet).toEqual({ path: '/health/live', port: portName });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: portName });
      expect(c.resources.requests).toEqual({ cpu: expect.anything(), memory: expect.anything() });
      expect(c.resources.limits.memory).toEqual(expect.any(String));
      const pdb = docs().find((d) => d.kind === 'PodDisruptionBudget' && selects(d.spec.selector.matchLabels, deployment.spec.template.metadata.labels));
      expect(pdb).toBeDefined();
      expect(selects(deployment.spec.selector.matchLabels, deployment.spec.template.metadata.labels)).toBe(true);
    }
  });

  it('have every Service select the pods of a workload, on a port they expose', () => {
    const workloads = docs().filter((d) => ['Deployment', 'StatefulSet'].includes(d.kind));
    for (const service of docs().filter((d) => d.kind === 'Service')) {
      const target = workloads.find((w) => selects(service.spec.selector, w.spec.template.metadata.labels));
      expect({ service: service.metadata.name, found: target !== undefined }).toEqual({ service: service.metadata.name, found: true });
      const ports = podSpec(target as Doc).containers.flatMap((c: Doc) => c.ports ?? []);
      for (const p of service.spec.ports) {
        const targetPort = p.targetPort ?? p.port;
        expect(ports.some((cp: Doc) => cp.name === targetPort || cp.containerPort === targetPort)).toBe(true);
      }
    }
  });
});

describe('infra/k8s agrees with docker-compose.yml', () => {
  it('uses the same images: the app image for apps and jobs, apache/kafka, postgres and redis at the same versions', () => {
    const services = compose().services;
    const appImage = imageName(services['ingest-api'].image);
    expect(kustomization().images.map((i: Doc) => i.name)).toEqual([appImage]);
    for (const app of APPS) expect(container(find('Deployment', app)).image).toBe(appImage);
    for (const job of ['migrate', 'create-topics']) expect(container(find('Job', job)).image).toBe(appImage);
    expect(container(find('StatefulSet', 'kafka')).image).toBe(services.kafka.image);
    expect(container(find('StatefulSet', 'postgres-primary')).image).toBe(services.postgres.image);
    expect(container(find('StatefulSet', 'postgres-replica')).image).toBe(services.postgres.image);
    expect(container(find('StatefulSet', 'redis')).image).toBe(services.redis.image);
    expect(container(find('StatefulSet', 'redis')).command).toEqual(services.redis.command);
  });

  it('runs the same commands and ports for the apps and the one-shot jobs', () => {
    const services = compose().services;
    for (const app of APPS) {
      const c = container(find('Deployment', app));
      expect(c.command).toEqual(services[app].command);
      const port = Number(services[app].environment.PORT);
      expect(c.ports[0].containerPort).toBe(port);
      expect(Number(environmentOf(c).get('PORT'))).toBe(port);
      expect(services[app].ports).toEqual([`127.0.0.1:${port}:${port}`]);
      expect(find('Service', app).spec.ports[0].port).toBe(port);
    }
    expect(container(find('Job', 'migrate')).command).toEqual(services.migrate.command);
    expect(container(find('Job', 'create-topics')).command).toEqual(services.topics.command);
    expect(container(find('StatefulSet', 'postgres-primary')).ports[0].containerPort).toBe(Number(services.postgres.ports[0].split(':').pop()));
    expect(new URL(environmentOf(container(find('Deployment', 'ingest-api'))).get('REDIS_URL') ?? '').port).toBe('6379');
    expect(container(find('StatefulSet', 'redis')).ports[0].containerPort).toBe(6379);
  });

  it('configures Kafka like compose, with three brokers, replication factor 3 and min.insync.replicas 2', () => {
    const composeEnv: Record<string, string> = compose().services.kafka.environment;
    const kafka = find('StatefulSet', 'kafka');
    const c = container(kafka);
    const env = environmentOf(c);
    const startScript = c.command.join(' ');
    // What differs on purpose: replication, node identity and addresses, heap, data path, group start delay.
    const replicated: Record<string, string> = {
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '3',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '3',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '2',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '3',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '2',
      KAFKA_DEFAULT_REPLICATION_FACTOR: '3',
      KAFKA_MIN_INSYNC_REPLICAS: '2',
    };
    const perNode = ['KAFKA_NODE_ID', 'KAFKA_ADVERTISED_LISTENERS'];
    const different = ['KAFKA_CONTROLLER_QUORUM_VOTERS', 'KAFKA_LOG_DIRS', 'KAFKA_HEAP_OPTS', 'KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS'];
    for (const [key, value] of Object.entries(composeEnv)) {
      if (perNode.includes(key)) expect(startScript).toContain(`export ${key}=`);
      else if (key in replicated) expect(env.get(key)).toBe(replicated[key]);
      else if (different.includes(key)) expect(env.has(key)).toBe(true);
      else expect({ key, value: env.get(key) }).toEqual({ key, value: String(value) });
    }
    expect(kafka.spec.replicas).toBe(3);
    const voters = (env.get('KAFKA_CONTROLLER_QUORUM_VOTERS') ?? '').split(',');
    expect(voters).toEqual([0, 1, 2].map((i) => `${i}@kafka-${i}.kafka-headless:9093`));
    const brokers = environmentOf(container(find('Deployment', 'ingest-api'))).get('KAFKA_BROKERS')?.split(',');
    expect(brokers).toEqual([0, 1, 2].map((i) => `kafka-${i}.${kafka.spec.serviceName}:9092`));
    const topicsJob = environmentOf(container(find('Job', 'create-topics')));
    expect([topicsJob.get('KAFKA_REPLICATION_FACTOR'), topicsJob.get('KAFKA_MIN_INSYNC_REPLICAS')]).toEqual(['3', '2']);
  });

  it('initialises Postgres with the same init.sql as compose and the local scripts', () => {
    expect(compose().services.postgres.volumes).toContain('./infra/postgres/init.sql:/docker-entrypoint-initdb.d/10-init.sql:ro');
    const configMap = find('ConfigMap', 'postgres-init');
    expect(configMap.data['10-init.sql'].trimEnd()).toBe(readFileSync(join(REPO, 'infra/postgres/init.sql'), 'utf8').trimEnd());
    expect(compose().services.postgres.environment.POSTGRES_INITDB_ARGS).toBe(
      environmentOf(container(find('StatefulSet', 'postgres-primary'))).get('POSTGRES_INITDB_ARGS'),
    );
  });
});
