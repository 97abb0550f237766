// The live feed: a topic subscription whose filter the server applies. Changing the checkboxes
// replaces the subscription; after a reconnect the events missed meanwhile arrive (recovery).
import { $, element, listen, timeElement } from './dom.js';

const FEED_TOPIC = 'demo.feed';
const LEVELS = ['info', 'warning', 'alert'];

/**
 * Starts the feed panel; returns the function that stops it.
 * @param {{ client: import('/sdk/realtime.mjs').RealtimeClient, name: string }} context
 */
export function startFeed({ client, name }) {
  const summary = $('feed-filter-summary');
  let subscription;

  const selectedLevels = () => [...document.querySelectorAll('#feed-filter input[name="level"]:checked')].map((input) => input.value);

  const subscribe = () => {
    if (subscription !== undefined) client.unsubscribe(subscription);
    subscription = undefined;
    summary.dataset.active = 'false';
    const levels = selectedLevels();
    if (levels.length === 0) {
      summary.textContent = 'No level selected: not subscribed.';
      return;
    }
    if (levels.length === LEVELS.length) {
      subscription = client.subscribe({ topic: FEED_TOPIC });
      summary.textContent = 'Showing every level (no filter).';
    } else {
      const filter = { level: { in: levels } };
      subscription = client.subscribe({ topic: FEED_TOPIC, filter });
      summary.textContent = `Server-side filter: ${JSON.stringify(filter)}`;
    }
    // Marked active once the server has confirmed the subscription.
    const id = subscription;
    client.ready().then(
      () => {
        if (subscription === id) summary.dataset.active = 'true';
      },
      () => {},
    );
  };

  const stops = [
    client.on(`event:${FEED_TOPIC}`, (event) => {
      const { level, text, author } = event.payload;
      const badge = element('span', 'badge', String(level));
      const meta = element('span', 'feed-meta', `${author ?? 'someone'} · `, timeElement(event.metadata.timestamp));
      const item = element('li', 'feed-item', badge, element('span', 'feed-text', String(text)), meta);
      item.dataset.level = String(level);
      $('feed-log').prepend(item);
    }),
    client.on('resubscribed', ({ topic, recovered }) => {
      if (topic !== FEED_TOPIC) return;
      $('feed-status').textContent = recovered
        ? 'Back online: events published while you were away have been delivered.'
        : 'Back online, but some events were too old to recover.';
    }),
    listen($('feed-filter'), 'change', subscribe),
    listen($('feed-form'), 'submit', async (event) => {
      event.preventDefault();
      const text = $('feed-text').value.trim();
      if (text === '') return;
      try {
        await client.publish(FEED_TOPIC, { level: $('feed-level').value, text, author: name }, { type: 'demo.post' });
        $('feed-text').value = '';
        $('feed-status').textContent = '';
      } catch (err) {
        $('feed-status').textContent = `Not posted: ${err.message}`;
      }
    }),
    () => {
      $('feed-log').replaceChildren();
      $('feed-status').textContent = '';
    },
  ];
  subscribe();

  return () => {
    for (const stop of stops) stop();
  };
}
