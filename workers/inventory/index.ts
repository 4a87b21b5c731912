import { failClosed } from '../../shared/config';
import { consume } from '../../shared/consume';
import { health } from '../../shared/health';
import { holdAnswers } from '../../shared/packet';
import { InventoryConfig } from './config';
import { handlers } from './consumer';

export { InventoryDO } from './inventory-do';
export { InventoryService } from './service';

export default failClosed('inventory', InventoryConfig, {
  fetch: health('inventory'),
  queue(batch, env) {
    // The answers to a whole batch travel as one message.
    const answers = holdAnswers(env.BUS);
    return consume(batch, handlers({ ...env, BUS: answers.queue }), { deadLetters: env.DEAD_LETTERS, answers });
  },
} satisfies ExportedHandler<Env>);
