// A native modal <dialog>: the browser keeps the focus inside, makes the rest inert, and
// turns Escape into `cancel`; focus goes back where it was when it closes.
import { type ReactNode, useEffect, useRef } from 'react';

interface ModalProps {
  labelledBy: string;
  describedBy?: string;
  className: string;
  role?: 'dialog' | 'alertdialog';
  onCancel: () => void;
  children: ReactNode;
  testId: string;
  /** A click anywhere on the dialog or its backdrop (for a prompt any touch answers). */
  onClick?: () => void;
}

export function Modal({ labelledBy, describedBy, className, role = 'dialog', onCancel, children, testId, onClick }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancel = useRef(onCancel);
  useEffect(() => {
    cancel.current = onCancel;
  }, [onCancel]);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return undefined;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    const onCancelEvent = (event: Event) => {
      event.preventDefault();
      cancel.current();
    };
    dialog.addEventListener('cancel', onCancelEvent);
    return () => {
      dialog.removeEventListener('cancel', onCancelEvent);
      if (dialog.open) dialog.close();
      if (opener?.isConnected === true) opener.focus();
    };
  }, []);
  return (
    <dialog ref={ref} className={className} role={role === 'alertdialog' ? 'alertdialog' : undefined} aria-labelledby={labelledBy} aria-describedby={describedBy} data-testid={testId} onClick={onClick}>
      {children}
    </dialog>
  );
}
