import { useMessages } from '../hooks/i18n.ts';
import { settingsMessages } from '../i18n/messages.ts';
import { TEXT_SCALES, type TextScale } from '../lib/visitor-session.ts';
import { Modal } from './modal.tsx';

interface SettingsDialogProps {
  textScale: TextScale;
  highContrast: boolean;
  onTextScale: (scale: TextScale) => void;
  onHighContrast: (on: boolean) => void;
  onClose: () => void;
}

export function SettingsDialog({ textScale, highContrast, onTextScale, onHighContrast, onClose }: SettingsDialogProps) {
  const t = useMessages(settingsMessages);
  const names: Record<TextScale, string> = { 1: t.standard, 1.5: t.large, 2: t.largest };
  return (
    <Modal labelledBy="settings-title" className="modal settings" onCancel={onClose} testId="settings">
      <h2 className="modal__title" id="settings-title">
        {t.title}
      </h2>
      <div className="settings__group" role="group" aria-labelledby="settings-text-size">
        <p className="settings__label" id="settings-text-size">
          {t.textSize}
        </p>
        <div className="settings__choices">
          {TEXT_SCALES.map((scale) => (
            <button key={scale} type="button" className={`choice choice--scale-${String(scale).replace('.', '-')}`} aria-pressed={scale === textScale} data-scale={scale} onClick={() => onTextScale(scale)}>
              {names[scale]}
            </button>
          ))}
        </div>
      </div>
      <button type="button" className="choice settings__contrast" aria-pressed={highContrast} data-testid="high-contrast" onClick={() => onHighContrast(!highContrast)}>
        {t.highContrast}
      </button>
      <button type="button" className="modal__primary" onClick={onClose}>
        {t.done}
      </button>
    </Modal>
  );
}
