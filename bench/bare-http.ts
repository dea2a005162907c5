/**
 * The raw HTTP limit of this machine for the vote request: a bare Fastify server (the same
 * Fastify as the apps, same body limit and keep-alive defaults, JSON body parsed by Fastify's
 * default parser) whose PUT /v1/proposals/:id/vote answers 202 with a body the size of the
 * ingest's at once. No Nest, no guard, no validation, no Kafka.
 *
 *   node -r @swc-node/register bench/bare-http.ts   (PORT env; prints "listening <port>")
 */
import Fastify from 'fastify';

const main = async (): Promise<void> => {
  const app = Fastify({ bodyLimit: 16 * 1024, logger: false, return503OnClosing: true });
  let offset = 0;
  app.put('/v1/proposals/:proposalId/vote', async (_request, reply) => {
    reply.code(202);
    return { position: { topic: 'bare.votes', partition: offset % 12, offset: String(offset++) } };
  });
  app.get('/health/ready', async () => ({ status: 'ready' }));
  await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
  const address = app.server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
};

void main();
