import { kafkaReadiness } from '../src/kafka-readiness';
import { testKafka } from './kafka-test-env';

describe('kafkaReadiness against the real broker', () => {
  it('passes when the broker answers and the extra check passes', async () => {
    const check = kafkaReadiness(testKafka('readiness-it'));
    await expect(check.check()).resolves.toBeUndefined();
    await expect(check.check()).resolves.toBeUndefined();
    await check.close();
  });

  it('fails on the extra check first, and when the broker cannot be reached', async () => {
    const failing = kafkaReadiness(testKafka('readiness-it'), () => {
      throw new Error('appender reconnecting');
    });
    await expect(failing.check()).rejects.toThrow('appender reconnecting');
    const unreachable = kafkaReadiness(testKafka('readiness-down', { brokers: ['127.0.0.1:1'] }));
    await expect(unreachable.check()).rejects.toThrow();
    await unreachable.close();
  });
});
