import { failClosed } from '../../shared/config';
import { consume } from '../../shared/consume';
import { health } from '../../shared/health';
import { handlers } from './consumer';
import { PaymentsConfig } from './payment-do';

export { PaymentDO } from './payment-do';

export default failClosed('payments', PaymentsConfig, {
  fetch: health('payments'),
  queue: (batch, env) => consume(batch, handlers(env), { deadLetters: env.DEAD_LETTERS }),
} satisfies ExportedHandler<Env>);
