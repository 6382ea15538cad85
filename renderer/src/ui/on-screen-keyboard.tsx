// Letters for a touch screen with no keyboard of its own: large keys in QWERTY rows, plus
// the letters of the visitor's language (ñ for Spanish and Filipino). The search field
// keeps working with a real keyboard too; this only adds to it.
import { useMessages } from '../hooks/i18n.ts';
import type { Language } from '../i18n/languages.ts';
import { searchMessages } from '../i18n/messages.ts';
import { DeleteKeyIcon } from './icons.tsx';

const ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
const EXTRA: Partial<Record<Language, string>> = { es: 'ñ', fil: 'ñ' };

export function OnScreenKeyboard({ language, onKey, onDelete, onClear }: { language: Language; onKey: (text: string) => void; onDelete: () => void; onClear: () => void }) {
  const t = useMessages(searchMessages);
  const extra = EXTRA[language] ?? '';
  const rows = [ROWS[0] ?? '', (ROWS[1] ?? '') + extra, ROWS[2] ?? ''];
  return (
    <div className="keyboard" role="group" aria-label={t.keyboard} data-testid="keyboard">
      {rows.map((row, index) => (
        <div className="keyboard__row" key={index}>
          {[...row].map((letter) => (
            <button key={letter} type="button" className="key" data-key={letter} onClick={() => onKey(letter)}>
              {letter}
            </button>
          ))}
          {index === rows.length - 1 && (
            <button type="button" className="key key--wide" data-key="delete" onClick={onDelete}>
              <DeleteKeyIcon className="icon" />
              <span>{t.delete}</span>
            </button>
          )}
        </div>
      ))}
      <div className="keyboard__row">
        <button type="button" className="key key--space" data-key="space" onClick={() => onKey(' ')}>
          {t.space}
        </button>
        <button type="button" className="key key--wide" data-key="clear" onClick={onClear}>
          {t.clear}
        </button>
      </div>
    </div>
  );
}
