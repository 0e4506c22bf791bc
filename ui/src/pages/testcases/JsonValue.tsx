/** One value of a plan or a profile, as compact JSON; a word for a value one side lacks. */
export function JsonValue(props: { value: unknown; absent: string }) {
  if (props.value === undefined || props.value === null) return <span class="subtle">{props.absent}</span>;
  return <code class="json-value">{typeof props.value === 'string' ? props.value : JSON.stringify(props.value)}</code>;
}
