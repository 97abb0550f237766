// Small DOM helpers shared by the demo's panels.

/**
 * The element with this id; throws when the page lacks it.
 * @param {string} id
 * @returns {any}
 */
export function $(id) {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`#${id} is missing`);
  return element;
}

/**
 * A new element with a class name and children (strings become text, never HTML).
 * @param {string} tag
 * @param {string} className
 * @param {...(Node | string)} children
 */
export function element(tag, className, ...children) {
  const node = document.createElement(tag);
  if (className !== '') node.className = className;
  node.append(...children);
  return node;
}

/**
 * A `<time>` element for a Unix time in ms.
 * @param {number} timestamp
 * @param {Intl.DateTimeFormatOptions} [format]
 */
export function timeElement(timestamp, format = { hour: '2-digit', minute: '2-digit', second: '2-digit' }) {
  const time = document.createElement('time');
  time.dateTime = new Date(timestamp).toISOString();
  time.textContent = new Date(timestamp).toLocaleTimeString([], format);
  return time;
}

/**
 * Appends to a scrolling log, following it only if the reader was already at the bottom.
 * @param {HTMLElement} log
 * @param {HTMLElement} item
 */
export function appendToLog(log, item) {
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  log.append(item);
  if (atBottom) log.scrollTop = log.scrollHeight;
}

/**
 * Adds a DOM listener and returns the function that removes it.
 * @param {EventTarget} target
 * @param {string} type
 * @param {(event: any) => void} listener
 */
export function listen(target, type, listener) {
  target.addEventListener(type, listener);
  return () => target.removeEventListener(type, listener);
}
