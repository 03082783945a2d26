import type { ConfigFields, ConfigSpec } from './define-config.js';

/** Options of {@link configTable}. */
export interface ConfigTableOptions {
  /** Add a column with each field's key in the JSON config file. */
  readonly fileKeys?: boolean;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/**
 * Renders a declaration as a Markdown table (variable, type, default, description) so the
 * configuration reference in a README comes from the same source as the validation.
 */
export function configTable<F extends ConfigFields>(
  spec: ConfigSpec<F>,
  options: ConfigTableOptions = {},
): string {
  const head = [
    'Variable',
    ...(options.fileKeys === true ? ['File key'] : []),
    'Type',
    'Default',
    'Description',
  ];
  const rows = Object.entries(spec.fields).map(([name, field]) => {
    const fallback =
      field.presence === 'required'
        ? '**required**'
        : field.presence === 'optional'
          ? '—'
          : (field.defaultText ?? '');
    const description = field.secret ? `${field.description} (secret)` : field.description;
    const fileKey = options.fileKeys === true ? [`\`${field.key ?? name}\``] : [];
    return [`\`${field.env}\``, ...fileKey, field.typeText, fallback, description];
  });
  const line = (cells: readonly string[]): string => `| ${cells.map(cell).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n') + '\n';
}
