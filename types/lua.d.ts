/** Lua scripts in lua/ are bundled as text (wrangler `Text` rule, vite `?raw`-free loader in tests). */
declare module "*.lua" {
  const source: string;
  export default source;
}
