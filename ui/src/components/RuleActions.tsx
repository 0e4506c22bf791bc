/** The buttons of one rule in an ordered list of rules: move it up or down, remove it. */
export function RuleActions(props: { title: string; index: number; count: number; move: (by: number) => void; remove: () => void }) {
  return (
    <div class="rule-actions">
      <button type="button" class="button button-subtle" disabled={props.index === 0} onClick={() => props.move(-1)}>
        Move up<span class="visually-hidden"> ({props.title})</span>
      </button>
      <button type="button" class="button button-subtle" disabled={props.index === props.count - 1} onClick={() => props.move(1)}>
        Move down<span class="visually-hidden"> ({props.title})</span>
      </button>
      <button type="button" class="button button-subtle" onClick={props.remove}>
        Remove<span class="visually-hidden"> ({props.title})</span>
      </button>
    </div>
  );
}
