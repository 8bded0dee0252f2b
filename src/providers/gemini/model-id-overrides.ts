/** Wire model ids set in the environment, by friendly model name; a missing entry keeps the built-in id. */
export interface GeminiModelIdOverrides {
  'nano-banana'?: string | undefined;
  'nano-banana-pro'?: string | undefined;
  'nano-banana-2'?: string | undefined;
}
