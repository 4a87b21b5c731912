import { failClosed } from '../../shared/config';
import { consume } from '../../shared/consume';
import { health } from '../../shared/health';
import { Meter } from '../../shared/metrics';
import { OrdersConfig } from './config';
import { handlers } from './consumer';

export { OrderDO } from './order-do';
export { OrdersService } from './service';

export default failClosed('orders', OrdersConfig, {
  fetch: health('orders'),
  queue: (batch, env, ctx?: ExecutionContext) =>
    consume(batch, handlers(env), { deadLetters: env.DEAD_LETTERS, metrics: new Meter(env, 'orders', ctx) }),
} satisfies ExportedHandler<Env>);
