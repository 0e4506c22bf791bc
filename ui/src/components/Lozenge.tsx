/** The ADS lozenge: a short status word in a tinted box. */
import { appearance } from '../format';

export function Lozenge(props: { status: string }) {
  return <span class={`lozenge lozenge-${appearance(props.status)}`}>{props.status}</span>;
}
