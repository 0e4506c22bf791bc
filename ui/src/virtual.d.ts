/** The tokens' stylesheet made at build time by `build/ads-tokens.ts`. */
declare module 'virtual:ads-tokens.css';
