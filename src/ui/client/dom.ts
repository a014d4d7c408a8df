/** Building the page: elements with text set by textContent only (keys are arbitrary text, never markup). */

type Child = Node | string | null | undefined | false;

export interface Props {
  class?: string;
  text?: string;
  title?: string;
  href?: string;
  attrs?: Record<string, string>;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (props.class !== undefined) e.className = props.class;
  if (props.text !== undefined) e.textContent = props.text;
  if (props.title !== undefined) e.title = props.title;
  if (props.href !== undefined) e.setAttribute('href', props.href);
  if (props.attrs !== undefined) for (const [k, v] of Object.entries(props.attrs)) e.setAttribute(k, v);
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return e;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (e === null) throw new Error(`no #${id} in the page`);
  return e as T;
}
