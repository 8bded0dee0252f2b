/** Buttons and button-looking links share these styles, so every control has the same focus ring and sizes. */
import type { ButtonHTMLAttributes } from 'react';

export type ButtonVariant = 'primary' | 'secondary' | 'ghost' | 'danger';
export type ButtonSize = 'small' | 'medium';

const variantClasses: Record<ButtonVariant, string> = {
  primary: 'bg-violet-600 text-white hover:bg-violet-500 disabled:bg-violet-600/40',
  secondary: 'border border-neutral-700 bg-neutral-900 text-neutral-100 hover:border-neutral-500 hover:bg-neutral-800',
  ghost: 'text-neutral-300 hover:bg-neutral-800 hover:text-neutral-100',
  danger: 'bg-red-600/90 text-white hover:bg-red-500 disabled:bg-red-600/40',
};

const sizeClasses: Record<ButtonSize, string> = {
  small: 'h-8 px-3 text-sm gap-1.5',
  medium: 'h-10 px-4 text-sm gap-2',
};

export function buttonClasses(variant: ButtonVariant = 'secondary', size: ButtonSize = 'medium'): string {
  return `inline-flex shrink-0 items-center justify-center rounded-lg font-medium transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-violet-400 disabled:cursor-not-allowed disabled:opacity-60 ${variantClasses[variant]} ${sizeClasses[size]}`;
}

export function Button({ variant, size, className, type, ...props }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: ButtonVariant; size?: ButtonSize }) {
  return <button type={type ?? 'button'} className={`${buttonClasses(variant, size)} ${className ?? ''}`} {...props} />;
}
