// The chat: a channel with messages, a member list from presence, and typing and an
// online / away / busy status carried as each member's presence state.
import { $, appendToLog, element, listen, timeElement } from './dom.js';

const CHANNEL = 'chat:lobby';
const TYPING_IDLE_MS = 2500;

/**
 * Starts the chat panel; returns the function that stops it.
 * @param {{ client: import('/sdk/realtime.mjs').RealtimeClient, name: string }} context
 */
export function startChat({ client, name }) {
  const sc = client.socketClient;
  const input = $('chat-input');
  const statusSelect = $('chat-status');
  /** Channel members by connection id. */
  const members = new Map();
  let typing = false;
  let typingTimer;

  const notice = (text, kind = 'error') => appendToLog($('chat-log'), element('li', `notice ${kind}`, text));

  const render = () => {
    const myId = sc.id;
    /** One entry per user: typing wins, else the status of their latest connection. */
    const byUser = new Map();
    for (const member of members.values()) {
      const status = typeof member.state?.status === 'string' ? member.state.status : 'online';
      const entry = byUser.get(member.userId) ?? { userId: member.userId, status, me: false, tabs: 0 };
      if (status === 'typing' || entry.status !== 'typing') entry.status = status;
      entry.me ||= member.connectionId === myId;
      entry.tabs += 1;
      byUser.set(member.userId, entry);
    }
    const items = [...byUser.values()]
      .sort((a, b) => Number(b.me) - Number(a.me) || a.userId.localeCompare(b.userId))
      .map((entry) => {
        const dot = element('span', 'dot');
        dot.setAttribute('aria-hidden', 'true');
        const label = `${entry.userId}${entry.me ? ' (you)' : ''}${entry.tabs > 1 ? ` ×${entry.tabs}` : ''}`;
        const item = element(
          'li',
          '',
          dot,
          element('span', 'member-name', label),
          element('span', 'member-status', entry.status === 'typing' ? 'typing…' : entry.status),
        );
        item.dataset.user = entry.userId;
        item.dataset.status = entry.status;
        return item;
      });
    $('chat-members').replaceChildren(...items);
    $('chat-member-count').textContent = String(byUser.size);
    const typists = [
      ...new Set([...members.values()].filter((member) => member.connectionId !== myId && member.state?.status === 'typing').map((member) => member.userId)),
    ];
    $('chat-typing').textContent = typists.length === 0 ? '' : `${typists.join(', ')} ${typists.length === 1 ? 'is' : 'are'} typing…`;
  };

  const publishStatus = async () => {
    try {
      const member = await sc.updatePresence(CHANNEL, { status: typing ? 'typing' : statusSelect.value });
      members.set(member.connectionId, member);
      render();
    } catch {
      // Not in the channel right now (reconnecting): the re-join carries the last state set.
    }
  };

  const setTyping = (value) => {
    if (typing === value) return;
    typing = value;
    void publishStatus();
  };

  const reloadMembers = async () => {
    try {
      const current = await sc.members(CHANNEL);
      members.clear();
      for (const member of current) members.set(member.connectionId, member);
      render();
    } catch (err) {
      notice(`Could not reload the member list: ${err.message}`);
    }
  };

  const stops = [
    sc.on('message', ({ channel, event, data, from, timestamp }) => {
      if (channel !== CHANNEL || event !== 'message') return;
      const meta = element('span', 'message-meta', element('strong', '', from.userId), ' ', timeElement(timestamp, { hour: '2-digit', minute: '2-digit' }));
      const text = element('span', 'message-text', typeof data?.text === 'string' ? data.text : JSON.stringify(data));
      appendToLog($('chat-log'), element('li', from.userId === name ? 'message mine' : 'message', meta, text));
    }),
    sc.on('presence', (change) => {
      if (change.channel !== CHANNEL) return;
      if (change.type === 'leave') members.delete(change.member.connectionId);
      else members.set(change.member.connectionId, change.member);
      render();
    }),
    sc.on('rejoined', ({ channel, recovered }) => {
      if (channel !== CHANNEL) return;
      // The client re-joined the channel by itself; who came and went meanwhile was not seen.
      void reloadMembers();
      notice(
        recovered
          ? 'Back online. Messages sent while you were away are shown above.'
          : 'Back online. Some messages sent while you were away are too old to be shown.',
        'info',
      );
    }),
    listen($('chat-form'), 'submit', async (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (text === '') return;
      input.value = '';
      setTyping(false);
      try {
        await sc.publish(CHANNEL, 'message', { text });
      } catch (err) {
        notice(`Not sent: ${err.message}`);
        input.value = text;
      }
    }),
    listen(input, 'input', () => {
      setTyping(input.value !== '');
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => setTyping(false), TYPING_IDLE_MS);
    }),
    listen(statusSelect, 'change', () => void publishStatus()),
    () => {
      clearTimeout(typingTimer);
      members.clear();
      $('chat-log').replaceChildren();
      render();
    },
  ];

  sc.joinChannel(CHANNEL, { state: { status: statusSelect.value } }).then(
    ({ members: current = [] }) => {
      for (const member of current) members.set(member.connectionId, member);
      render();
    },
    (err) => notice(`Could not join the chat: ${err.message}`),
  );

  return () => {
    for (const stop of stops) stop();
  };
}
