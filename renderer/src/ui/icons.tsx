// Line icons drawn inline (no icon font, no network): they inherit the text colour.
import type { ReactNode } from 'react';

function Icon({ children, className }: { children: ReactNode; className?: string | undefined }) {
  return (
    <svg className={className ?? 'icon'} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      {children}
    </svg>
  );
}

type IconProps = { className?: string | undefined };

/** The civic emblem: a domed hall on its steps. */
export function Emblem({ className }: IconProps) {
  return (
    <svg className={className ?? 'emblem'} viewBox="0 0 64 64" fill="currentColor" aria-hidden="true" focusable="false">
      <rect x="31" y="3" width="2" height="5" />
      <rect x="29" y="8" width="6" height="5" rx="1" />
      <path d="M17 27a15 15 0 0 1 30 0z" />
      <rect x="15" y="27" width="34" height="3" rx="0.5" />
      <path d="M6 36 32 31l26 5z" />
      <rect x="7" y="36" width="50" height="3" />
      <rect x="10" y="41" width="4" height="12" />
      <rect x="19" y="41" width="4" height="12" />
      <rect x="28" y="41" width="8" height="12" />
      <rect x="41" y="41" width="4" height="12" />
      <rect x="50" y="41" width="4" height="12" />
      <rect x="5" y="54" width="54" height="3" />
      <rect x="2" y="58" width="60" height="3" />
    </svg>
  );
}

export function CalendarIcon({ className }: IconProps) {
  return (
    <Icon className={className}>
      <rect x="3" y="4.5" width="18" height="16" rx="2" />
      <path d="M3 9.5h18M8 2.5v4M16 2.5v4M7.5 13.5h2M11 13.5h2M14.5 13.5h2M7.5 17h2M11 17h2" />
    </Icon>
  );
}

export function DirectoryIcon({ className }: IconProps) {
  return (
    <Icon className={className}>
      <path d="M3 21h18M5 21V8l7-4 7 4v13M9 21v-5h6v5M8.5 10.5h1M14.5 10.5h1M8.5 13.5h1M14.5 13.5h1" />
    </Icon>
  );
}

export function HomeIcon({ className }: IconProps) {
  return (
    <Icon className={className}>
      <path d="M3 11 12 4l9 7M5.5 9.5V20h13V9.5M10 20v-5.5h4V20" />
    </Icon>
  );
}

export function ArrowIcon({ className }: IconProps) {
  return (
    <Icon className={className}>
      <path d="M5 12h14M13 6l6 6-6 6" />
    </Icon>
  );
}

export function PinIcon({ className }: IconProps) {
  return (
    <Icon className={className}>
      <path d="M12 21s-6.5-6-6.5-11a6.5 6.5 0 0 1 13 0c0 5-6.5 11-6.5 11z" />
      <circle cx="12" cy="10" r="2.3" />
    </Icon>
  );
}

export function ClockIcon({ className }: IconProps) {
  return (
    <Icon className={className}>
      <circle cx="12" cy="12" r="8.5" />
      <path d="M12 7.5V12l3 2" />
    </Icon>
  );
}

export function PhoneIcon({ className }: IconProps) {
  return (
    <Icon className={className}>
      <path d="M5 4h3.5l1.5 4-2 1.5a11 11 0 0 0 6.5 6.5l1.5-2 4 1.5V19a1.5 1.5 0 0 1-1.5 1.5A15.5 15.5 0 0 1 3.5 5.5 1.5 1.5 0 0 1 5 4z" />
    </Icon>
  );
}

export function CloseIcon({ className }: IconProps) {
  return (
    <Icon className={className}>
      <path d="M6 6l12 12M18 6 6 18" />
    </Icon>
  );
}

export function SearchIcon({ className }: IconProps) {
  return (
    <Icon className={className}>
      <circle cx="10.5" cy="10.5" r="6.5" />
      <path d="m15.5 15.5 5 5" />
    </Icon>
  );
}

export function AccessibilityIcon({ className }: IconProps) {
  return (
    <Icon className={className}>
      <circle cx="12" cy="4.5" r="1.8" />
      <path d="M4.5 8.5 12 10l7.5-1.5M12 10v4.5M12 14.5 8.5 21M12 14.5l3.5 6.5" />
    </Icon>
  );
}

export function BackIcon({ className }: IconProps) {
  return (
    <Icon className={className}>
      <path d="M19 12H5M11 6l-6 6 6 6" />
    </Icon>
  );
}

export function DeleteKeyIcon({ className }: IconProps) {
  return (
    <Icon className={className}>
      <path d="M9 5h11v14H9l-6-7z" />
      <path d="m12 9 5 6M17 9l-5 6" />
    </Icon>
  );
}
