import { bus } from '../../shared/bus';
import { failClosed } from '../../shared/config';
import { consume } from '../../shared/consume';
import { health } from '../../shared/health';
import { Meter } from '../../shared/metrics';
import { holdAnswers } from '../../shared/packet';
import { InventoryConfig } from './config';
import { handlers } from './consumer';

export { InventoryDO } from './inventory-do';
export { InventoryService } from './service';

export default failClosed('inventory', InventoryConfig, {
  fetch: health('inventory'),
  queue(batch, env, ctx?: ExecutionContext) {
    // The answers to a whole batch travel as one message.
    const answers = holdAnswers(bus(env));
    return consume(batch, handlers({ ...env, BUS: answers.queue }), {
      deadLetters: env.DEAD_LETTERS,
      answers,
      metrics: new Meter(env, 'inventory', ctx),
    });
  },
} satisfies ExportedHandler<Env>);
