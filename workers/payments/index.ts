import { failClosed } from '../../shared/config';
import { consume } from '../../shared/consume';
import { health } from '../../shared/health';
import { Meter } from '../../shared/metrics';
import { PaymentsConfig } from './config';
import { handlers } from './consumer';

export { PaymentDO } from './payment-do';

export default failClosed('payments', PaymentsConfig, {
  fetch: health('payments'),
  queue: (batch, env, ctx?: ExecutionContext) =>
    consume(batch, handlers(env), { deadLetters: env.DEAD_LETTERS, metrics: new Meter(env, 'payments', ctx) }),
} satisfies ExportedHandler<Env>);
