// Measures what a first visit to /login and to /requests costs over the wire, in Brotli:
// the page's HTML as the server sends it, and every stylesheet, script and WASM module it
// loads, at the size of the precompressed `.br` file the server serves for it.
// Usage: node first-load.mjs BASE_URL SITE_ROOT [BUDGET_KB]
// Prints a Markdown table; exits 1 when a page is over the budget.
import { readFileSync, statSync } from "node:fs";
import { brotliCompressSync, constants } from "node:zlib";

const [base, siteRoot, budgetArg] = process.argv.slice(2);
const budgetKb = Number(budgetArg ?? 250);

async function signIn() {
  const response = await fetch(`${base}/api/auth/sign_in`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body: "email=client.east%40example.com&password=fssc-demo-2026",
  });
  if (!response.ok) throw new Error(`sign-in answered ${response.status}`);
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith("fssc_session="));
  return cookie.split(";")[0];
}

/** The compressed size of one asset: its .br file beside it in the site root. */
function assetSize(path) {
  const file = `${siteRoot}${path}`;
  try {
    return statSync(`${file}.br`).size;
  } catch {
    return brotliCompressSync(readFileSync(file)).length;
  }
}

async function measure(path, cookie) {
  const response = await fetch(`${base}${path}`, { headers: { Accept: "text/html", Cookie: cookie ?? "" } });
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  const html = await response.text();
  // The server compresses pages as it streams them, at a middling Brotli level.
  const htmlBytes = brotliCompressSync(Buffer.from(html), { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } }).length;
  const assets = new Set();
  for (const match of html.matchAll(/(?:href|src)="(\/pkg\/[^"]+\.(?:css|js|wasm))"/g)) assets.add(match[1]);
  const sizes = { html: htmlBytes, css: 0, js: 0, wasm: 0 };
  for (const asset of assets) sizes[asset.split(".").pop()] += assetSize(asset);
  return sizes;
}

const kb = (n) => (n / 1024).toFixed(1);
const cookie = await signIn();
let over = false;
console.log(`| first load (Brotli) | HTML KB | CSS KB | JS KB | WASM KB | total KB | budget ${budgetKb} KB |`);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | :---: |");
for (const [path, session] of [["/login", null], ["/requests", cookie]]) {
  const s = await measure(path, session);
  const total = s.html + s.css + s.js + s.wasm;
  const within = total <= budgetKb * 1024;
  over ||= !within;
  console.log(`| \`${path}\` | ${kb(s.html)} | ${kb(s.css)} | ${kb(s.js)} | ${kb(s.wasm)} | ${kb(total)} | ${within ? "within" : "**over**"} |`);
}
process.exit(over ? 1 : 0);
