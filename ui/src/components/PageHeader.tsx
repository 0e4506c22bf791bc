/** The ADS page header: breadcrumbs, the page's one `h1`, and its actions on the right. */
import type { ComponentChildren } from 'preact';

export interface Crumb {
  label: string;
  href: string;
}

export function PageHeader(props: { title: string; crumbs?: Crumb[]; actions?: ComponentChildren; children?: ComponentChildren }) {
  return (
    <header class="page-header">
      {props.crumbs && props.crumbs.length > 0 && (
        <nav aria-label="Breadcrumbs">
          <ol class="breadcrumbs">
            {props.crumbs.map((crumb) => (
              <li key={crumb.href}>
                <a href={crumb.href}>{crumb.label}</a>
              </li>
            ))}
          </ol>
        </nav>
      )}
      <div class="page-header-row">
        <h1 id="page-title" tabIndex={-1}>
          {props.title}
        </h1>
        {props.actions && <div class="page-actions">{props.actions}</div>}
      </div>
      {props.children}
    </header>
  );
}
