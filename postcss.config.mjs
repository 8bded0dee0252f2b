/** Tailwind CSS 4 runs as a PostCSS plugin inside Next.js's CSS pipeline. */
export default {
  plugins: {
    '@tailwindcss/postcss': {},
  },
};
