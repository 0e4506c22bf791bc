/**
 * People and data: what postroom keeps about people, and the administrator's tools for it —
 * the suppression list, a person's data, backups, the data inventory with the site's
 * periods, API tokens, the access log, and erasing the whole site. One page with a tab per
 * part, each at its own address (`#/data/SECTION`).
 */
import type { Session } from '../../api';
import { PageHeader } from '../../components/PageHeader';
import type { DataSection } from '../../route';
import { DATA_SECTIONS } from '../../route';
import { AccessLog } from './AccessLog';
import { Backups } from './Backups';
import { EraseSite } from './EraseSite';
import { Inventory } from './Inventory';
import { Person } from './Person';
import { Suppressions } from './Suppressions';
import { Tokens } from './Tokens';

const LABELS: Record<DataSection, string> = {
  suppressions: 'Suppression list',
  person: "A person's data",
  backups: 'Backups',
  inventory: 'Data inventory',
  tokens: 'API tokens',
  'access-log': 'Access log',
  erase: 'Erase this site',
};

export function Data(props: { section: DataSection; session: Session }) {
  const { section } = props;
  return (
    <>
      <PageHeader title="People and data">
        <nav aria-label="People and data">
          <ul class="tabs">
            {DATA_SECTIONS.map((s) => (
              <li key={s}>
                <a href={`#/data/${s}`} aria-current={s === section ? 'page' : undefined}>
                  {LABELS[s]}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </PageHeader>
      <section aria-labelledby="section-title">
        <h2 id="section-title">{LABELS[section]}</h2>
        <Section section={section} session={props.session} />
      </section>
    </>
  );
}

function Section(props: { section: DataSection; session: Session }) {
  switch (props.section) {
    case 'suppressions':
      return <Suppressions />;
    case 'person':
      return <Person />;
    case 'backups':
      return <Backups />;
    case 'inventory':
      return <Inventory />;
    case 'tokens':
      return <Tokens />;
    case 'access-log':
      return <AccessLog />;
    case 'erase':
      return <EraseSite tenant={props.session.tenant} />;
  }
}
