/** Where a setting's value comes from, in words, with the `postroom.toml` key when it is one. */
import type { SettingSource } from '../../api';

const NAMES: Record<SettingSource, string> = {
  postroom_toml: 'postroom.toml',
  sandbox: 'serve --sandbox',
  site: 'this site (console or CLI)',
  default: 'default',
};

export function Source(props: { source: SettingSource; tomlKey: string | null }) {
  return (
    <span>
      {NAMES[props.source]}
      {props.tomlKey && (
        <>
          {' '}
          (<code>{props.tomlKey}</code>, read-only here)
        </>
      )}
    </span>
  );
}
