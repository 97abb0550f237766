import { MemoryPresenceStore } from '../../server/index.js';
import { describePresenceStore } from '../support/presence-store-suite.js';

describePresenceStore('MemoryPresenceStore', () => new MemoryPresenceStore());
