/** The 409 of a profile save: who was first, what differs, and the way back to the stored profile. */
export function StaleMessage(props: { version: number; differs: string[]; reload: () => void }) {
  return (
    <section class="section-message section-message-warning" role="alert" aria-labelledby="stale-title">
      <h2 id="stale-title">Someone saved the profile since you loaded it</h2>
      <p>
        Version {props.version} is stored now
        {props.differs.length > 0 ? `; it differs from yours in: ${props.differs.join(', ')}` : ''}. Nothing of yours was saved. Reload
        the stored profile and make your change again (what you changed here is lost).
      </p>
      <button type="button" class="button button-primary" onClick={props.reload}>
        Reload the stored profile
      </button>
    </section>
  );
}
